import pytest


@pytest.fixture
def xlsx_rows():
    """The rows of the first sheet of an .xlsx response, as tuples."""
    import io

    from openpyxl import load_workbook

    def _rows(response):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]

    return _rows
