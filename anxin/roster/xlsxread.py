"""Reading an uploaded .xlsx as rows of text, fast and safely (FORMATS.md: "read every cell as
text — leading zeros, 18-digit numbers").

The package is opened and checked by openpyxl's own reader (content types, workbook part,
styles: a file that is not a real workbook is refused whatever its name), as
``load_workbook(read_only=True, data_only=True)`` does. The cells are then read from the sheet
XML directly: openpyxl's read-only cell iterator needs ~20 s for 50,000 rows × 40 columns (and
first scans the whole sheet when the writer left out ``<dimension>``), lxml's iterparse ~7 s;
a regular expression over the plain cell forms that Excel, WPS, openpyxl and POI write takes
~1.5 s. Any stretch of rows the fast pattern does not account for cell by cell (namespace
prefixes, rich text, unusual attribute order…) is parsed with lxml instead, so the fast path
is an optimisation, never a different reading. Reading the XML text also keeps numbers as
written: an 18-digit number comes back digit for digit, never through a float.
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.reader.strings import read_string_table
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import from_excel
from openpyxl.xml.constants import SHARED_STRINGS

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx
# an .xlsx compresses about 10–15 times; far more means a zip bomb
MAX_UNZIPPED_RATIO = 40


class WorkbookError(Exception):
    """The file cannot be read as a workbook; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _col_index(ref: str, cache: dict[str, int]) -> int:
    letters = ref.rstrip("0123456789")
    idx = cache.get(letters)
    if idx is None:
        idx = 0
        for ch in letters:
            idx = idx * 26 + (ord(ch) - 64)
        idx -= 1
        cache[letters] = idx
    return idx


def number_text(raw: str) -> str:
    """The digits of a numeric cell as Excel stored them: ``110105194912310020`` stays
    exact; ``20120501.0`` becomes ``20120501``; ``1.2E+3`` becomes ``1200``."""
    if raw.isdigit():
        return raw
    try:
        d = Decimal(raw)
    except InvalidOperation:
        return raw
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def value_text(value) -> str:
    """Text of a value openpyxl gives (int, float, date, bool, str), for callers that read
    cells through openpyxl: ints keep every digit, integral floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(repr(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# The plain cell forms: <c r="B7" s="3" t="s"><v>12</v></c>, inline strings, formulas with a
# cached value, empty and self-closing cells; and row starts. Groups: row attributes | column
# letters, other attributes, inline text, value.
_FAST = re.compile(
    r"<row\b([^>]*)>"
    r'|<c r="([A-Z]{1,3})\d+"([^>]*?)(?:/>|>(?:<is><t(?: [^>]*)?>([^<]*)</t></is>|<is><t/></is>'
    r"|(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>|<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>|)</c>)"
)
_ATTR = re.compile(r'\b([rst])\s*=\s*["\']([^"\']*)["\']')
_ROW_END = re.compile(r"</(?:[\w.-]+:)?row>")
_ROW_START = re.compile(r"<(?:[\w.-]+:)?row\b")
_ROOT = re.compile(r"<(?:[\w.-]+:)?worksheet\b([^>]*)>")
_SI_FAST = re.compile(r"<si><t(?: [^>]*)?>([^<]*)</t>(?:<phoneticPr[^>]*/>)?</si>|<si><t/></si>")
_CHUNK = 1 << 22
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
# numeric character references of non-ASCII characters: safe to decode before tokenising
# (they are never markup); ASCII ones (&#60; …) stay for the per-cell unescape
_CHARREF = re.compile(r"&#(\d{3,7}|x[0-9A-Fa-f]{2,6});")
_CHARREF_CACHE: dict[str, str] = {}


def _charref(m: re.Match) -> str:
    key = m.group(1)
    ch = _CHARREF_CACHE.get(key)
    if ch is None:
        try:
            n = int(key[1:], 16) if key[0] == "x" else int(key)
            ch = chr(n) if 128 <= n <= 0x10FFFF else m.group(0)
        except ValueError:
            ch = m.group(0)
        if len(_CHARREF_CACHE) < 100_000:
            _CHARREF_CACHE[key] = ch
    return ch


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _shared_strings(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    """The shared strings table; plain ``<si><t>…</t></si>`` entries by pattern, anything
    richer through openpyxl's own reader."""
    if not path:
        return []
    data = archive.read(path)
    try:
        text = data.decode("utf-8")
        found = _SI_FAST.findall(text)
        if len(found) == text.count("<si>") + text.count("<si "):
            return [_unescape(s).replace("_x005F", "") if s else "" for s in found]
    except UnicodeDecodeError:
        pass
    return [str(s) for s in read_string_table(io.BytesIO(data))]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class SheetReader:
    """Opens a workbook file and yields ``(excel_row_number, [cell text, …])`` for a sheet."""

    def __init__(self, fileobj: IO[bytes], size: int) -> None:
        head = fileobj.read(8)
        fileobj.seek(0)
        if size == 0 or not head:
            raise WorkbookError("文件是空的，请选择填好的 Excel（.xlsx）文件。")
        if head.startswith(OLE_MAGIC):
            raise WorkbookError(
                "这是旧版 Excel（.xls）文件或加密文件，请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。"
            )
        if not head.startswith(ZIP_MAGIC):
            raise WorkbookError("文件不是 Excel 工作簿（.xlsx），请上传用 Excel 或 WPS 保存的 .xlsx 文件。")
        try:
            archive = zipfile.ZipFile(fileobj)
            unzipped = sum(i.file_size for i in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise WorkbookError("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。") from exc
        if unzipped > MAX_UNZIPPED_RATIO * max(size, 1) + 10_000_000:
            raise WorkbookError("文件内容异常（解压后过大），已拒绝读取。")
        try:
            reader = ExcelReader(fileobj, read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [
                (sheet.name, rel.target)
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
            part = reader.package.find(SHARED_STRINGS)
            self.strings: list[str] = _shared_strings(reader.archive, part.PartName[1:] if part else None)
        except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, IOError…)
            raise WorkbookError("文件不是有效的 Excel 工作簿（.xlsx），无法读取。") from exc
        if not sheets:
            raise WorkbookError("工作簿中没有工作表。")
        self.archive = reader.archive
        # style indexes (as the text of the s attribute) whose number format is a date
        self.date_styles: set[str] = {str(i) for i in (getattr(reader.wb, "_date_formats", ()) or ())}
        self.epoch = reader.wb.epoch
        self.sheets = sheets

    def _date_text(self, raw: str) -> str:
        try:
            when = from_excel(float(raw), self.epoch)
        except (ValueError, OverflowError):
            return raw
        return when.date().isoformat() if isinstance(when, dt.datetime) else raw

    def _value(self, t: str | None, s: str | None, raw: str) -> str:
        """Text of a cell from its type, style and raw <v> text (already unescaped)."""
        if not raw:
            return ""
        if t == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                return ""
        if t is None or t == "n":
            if s is not None and s in self.date_styles:
                return self._date_text(raw)
            return raw if raw.isdigit() else number_text(raw)
        if t == "b":
            return "是" if raw in ("1", "true") else "否"
        if t == "d":
            return raw[:10]
        return raw  # "str" (a formula's text result), "e" (an error such as #N/A)

    def rows(self, target: str, columns: set[int] | None = None) -> Iterator[tuple[int, list[str]]]:
        """Rows of one sheet as lists of stripped text (empty cells are ``""``); with
        ``columns`` only those column indexes are decoded. Empty rows are skipped."""
        try:
            src = self.archive.open(target)
        except KeyError as exc:
            raise WorkbookError("工作表缺失，文件已损坏。") from exc
        try:
            first = src.read(_CHUNK)
            declared = re.match(rb"<\?xml[^>]*encoding=[\"']([\w-]+)", first.lstrip(b"\xef\xbb\xbf"))
            encoding = declared.group(1).decode().lower() if declared else "utf-8"
            if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                encoding = "utf-16"
            decoder = codecs.getincrementaldecoder(encoding if encoding != "utf8" else "utf-8")()
            buf = decoder.decode(first)
            root = _ROOT.search(buf)
            wrapper = (
                root.group(1)
                if root
                else ' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            )
            state = {"line": 0, "colcache": {}, "attrcache": {}}
            data = first
            while True:
                if data:
                    cut = None
                    for m in _ROW_END.finditer(buf, max(0, len(buf) - _CHUNK)):
                        cut = m.end()
                    if cut is None:
                        if len(buf) > 64 * _CHUNK:
                            raise WorkbookError("工作表中有一行内容过长，无法读取。")
                        data = src.read(_CHUNK)
                        buf += decoder.decode(data, final=not data)
                        continue
                    part, buf = buf[:cut], buf[cut:]
                else:
                    part, buf = buf, ""
                yield from self._rows_in(part, columns, wrapper, state)
                if not data:
                    break
                data = src.read(_CHUNK)
                buf += decoder.decode(data, final=not data)
        except (UnicodeDecodeError, LookupError, etree.XMLSyntaxError, zipfile.BadZipFile, EOFError) as exc:
            raise WorkbookError("工作表内容已损坏，无法读取。") from exc
        finally:
            src.close()

    def _rows_in(self, part: str, columns, wrapper: str, state: dict) -> Iterator[tuple[int, list[str]]]:
        """The rows of a stretch of complete <row> elements: by the fast pattern when it
        accounts for every row and cell, else by lxml."""
        if "<row" not in part and "row>" not in part:
            return
        if "&#" in part:  # openpyxl and some tools write every CJK character as &#NNNNN;
            part = _CHARREF.sub(_charref, part)
        if ":row" in part or ":c " in part:  # namespace prefixes (x:row…): the general reading
            yield from self._rows_lxml(part, columns, wrapper, state)
            return
        tokens = _FAST.findall(part)
        n_rows = sum(1 for tok in tokens if not tok[1])
        if n_rows != part.count("<row ") + part.count("<row>") or len(tokens) - n_rows != (
            part.count("<c ") + part.count("<c>")
        ):
            yield from self._rows_lxml(part, columns, wrapper, state)
            return
        colcache: dict[str, int] = state["colcache"]
        attrcache: dict[str, tuple] = state["attrcache"]
        strings = self.strings
        date_styles = self.date_styles
        line = state["line"]
        out: list[str] = []
        started = False
        for rowattrs, col, rest, itext, vtext in tokens:
            if not col:
                if started and any(out):
                    yield line, out
                started = True
                m = _ROW_NUMBER.search(rowattrs)
                line = int(m.group(1)) if m else line + 1
                out = []
                continue
            pos = colcache.get(col)
            if pos is None:
                pos = _col_index(col, colcache)
            if columns is not None and pos not in columns:
                continue
            if itext:  # an inline string
                text = html.unescape(itext) if "&" in itext else itext
            elif vtext:
                st = attrcache.get(rest)
                if st is None:
                    found = dict(_ATTR.findall(rest))
                    st = attrcache[rest] = (found.get("s"), found.get("t"))
                s, t = st
                if t == "s":  # shared strings are unescaped already
                    try:
                        text = strings[int(vtext)]
                    except (ValueError, IndexError):
                        text = ""
                elif (t is None or t == "n") and vtext.isdigit() and (s is None or s not in date_styles):
                    text = vtext  # an integer, digit for digit
                else:
                    text = self._value(t, s, _unescape(vtext))
            else:
                continue
            if pos >= len(out):
                out.extend([""] * (pos + 1 - len(out)))
            out[pos] = text.strip()
        if started and any(out):
            yield line, out
        state["line"] = line

    def _rows_lxml(self, part: str, columns, wrapper: str, state: dict) -> Iterator[tuple[int, list[str]]]:
        """The general reading of a stretch of rows (any prefix, attribute order, rich text)."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        first = _ROW_START.search(part)
        last = None
        for last in _ROW_END.finditer(part):  # noqa: B007 (the last one is wanted)
            pass
        if first is None or last is None:
            return
        rows_xml = part[first.start() : last.end()]  # no XML declaration, no <worksheet> start tag
        root = etree.fromstring(f"<wrap{wrapper}>{rows_xml}</wrap>".encode(), parser)
        colcache: dict[str, int] = state["colcache"]
        line = state["line"]
        for row in root.iter():
            if _local(row.tag) != "row":
                continue
            r = row.get("r")
            line = int(r) if r and r.isdigit() else line + 1
            out: list[str] = []
            pos = -1
            for c in row:
                if _local(c.tag) != "c":
                    continue
                ref = c.get("r")
                pos = _col_index(ref, colcache) if ref else pos + 1
                if columns is not None and pos not in columns:
                    continue
                t = c.get("t")
                text = ""
                for child in c:
                    name = _local(child.tag)
                    if name == "is" and t == "inlineStr":
                        text = "".join(
                            el.text or ""
                            for el in child.iter()
                            if _local(el.tag) == "t" and _local(el.getparent().tag) in ("is", "r")
                        )
                    elif name == "v" and t != "inlineStr":
                        text = self._value(t, c.get("s"), child.text or "")
                if pos >= len(out):
                    out.extend([""] * (pos + 1 - len(out)))
                out[pos] = text.strip()
            if any(out):
                yield line, out
        state["line"] = line
