"""Benchmark: import a 50,000-student roster (.xlsx, two family members each) into a fresh
SQLite database, then import the same file again (which must change nothing).

    .venv/bin/python bench/roster_import.py [--students 50000]

Prints ``BENCH <name> <value> <unit>`` lines; targets (R-ORG-6 quality bar): the import within
30 s and 400 MB peak on 2 cores. It measures, never asserts. The file is generated in a child
process, so the peak memory reported (max RSS of this process) is the import's own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = (
    "明红刚丽华强军平芳敏静丹霞峰伟磊洋勇艳杰娟涛超秀英玲桂兰梅琴云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉"
)
NATIONAL_EXTRA = [
    "出生地行政区划代码",
    "籍贯",
    "国籍/地区",
    "港澳台侨外",
    "政治面貌",
    "姓名拼音",
    "班内学号",
    "入学方式",
]


def _id_number(rnd: random.Random, birth: dt.date, male: bool, seq: int) -> str:
    from anxin.core.validators import id_check_digit

    body = f"640122{birth:%Y%m%d}{seq % 100:02d}{rnd.randrange(0, 10, 2) + (1 if male else 0)}"
    return body + id_check_digit(body)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="学生" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def write_excel_style(path: str, headers: list[str], rows) -> None:
    """Write an .xlsx the way Excel and WPS save one: UTF-8 text in a shared-strings table,
    numbers as number cells. (openpyxl writes inline strings with every CJK character as a
    character reference, which schools' files do not look like; ``--openpyxl`` uses it.)"""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i + 1) for i in range(len(headers))]
    sst: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for r, values in enumerate(
                [headers, *rows] if isinstance(rows, list) else _chain(headers, rows), 1
            ):
                cells = []
                for letter, v in zip(letters, values, strict=True):
                    if v is None or v == "":
                        continue
                    if isinstance(v, int):
                        cells.append(f'<c r="{letter}{r}"><v>{v}</v></c>')
                    else:
                        idx = sst.setdefault(v, len(sst))
                        cells.append(f'<c r="{letter}{r}" t="s"><v>{idx}</v></c>')
                out.write(f'<row r="{r}">{"".join(cells)}</row>')
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
        with z.open("xl/sharedStrings.xml", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst '
                f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(sst)}">'
            )
            for text in sst:
                out.write(f"<si><t>{escape(text)}</t></si>")
            out.write("</sst>")
            out.flush()
            out.detach()
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)


def _chain(headers, rows):
    yield headers
    yield from rows


def generate(path: str, n: int, school_code: str, openpyxl_style: bool = False) -> None:
    """A national-export-like file: the 学籍系统 headers we read, a few we ignore, number
    cells for codes and dates (their digits must survive), two family members per student."""
    from anxin.roster.importer import STUDENT_TEMPLATE_HEADERS

    headers = ["学校标识码", *STUDENT_TEMPLATE_HEADERS, *NATIONAL_EXTRA]
    rows = _rows(n, school_code, headers)
    if openpyxl_style:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("学生")
        ws.append(headers)
        for row in rows:
            ws.append(row)
        wb.save(path)
    else:
        write_excel_style(path, headers, rows)


def _rows(n: int, school_code: str, headers: list[str]):
    rnd = random.Random(20240901)
    used: set[str] = set()
    today = dt.date.today()
    for i in range(n):
        year = 7 + i % 3
        male = rnd.random() < 0.515
        birth = dt.date(today.year - year - 6, 1, 1) + dt.timedelta(days=rnd.randrange(365))
        while True:
            idn = _id_number(rnd, birth, male, rnd.randrange(100))
            if idn not in used:
                used.add(idn)
                break
        surname = rnd.choice(SURNAMES)
        name = surname + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
        mobile = lambda: int(f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}")  # noqa: E731
        row = {
            "学校标识码": int(school_code),  # number cells, as Excel makes them: digits must survive
            "全国学籍号": "G" + idn,
            "姓名": name,
            "性别": "男" if male else "女",
            "出生日期": int(f"{birth:%Y%m%d}"),
            "民族": rnd.choice(["汉族", "汉族", "汉族", "回族", "03", "01"]),
            "身份证件类型": "居民身份证",
            "身份证件号": idn,  # text: 18 digits do not fit a spreadsheet number
            "年级": {7: "七年级", 8: "八年级", 9: "九年级"}[year],
            "班级": f"{i // 3 % 30 + 1}班",
            "就读方式": rnd.choice(["走读", "住校", "1"]),
            "入学年月": int(f"{today.year - year + 6}09"),
            "是否留守儿童": rnd.choice(["非留守", "非留守", "单亲留守", "双亲留守"]),
            "是否进城务工人员随迁子女": rnd.choice(["否", "否", "是"]),
            "是否孤儿": "否",
            "是否独生子女": rnd.choice(["是", "否"]),
            "是否需要申请资助": rnd.choice(["否", "否", "是"]),
            "现住址": f"贺兰县习岗镇{rnd.randrange(1, 30)}村{rnd.randrange(1, 9)}组",
            "联系电话": mobile(),
            "成员1姓名": surname + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            "成员1关系": "父亲",
            "成员1联系电话": str(mobile()),
            "成员1是否监护人": "是",
            "成员1是否同住": rnd.choice(["是", "否"]),
            "成员1工作单位": rnd.choice(["", "务农", "贺兰县某建筑公司", "个体"]),
            "成员2姓名": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            "成员2关系": "母亲",
            "成员2联系电话": str(mobile()),
            "成员2是否监护人": "是",
            "成员2是否同住": "是",
            "成员2工作单位": "",
            "出生地行政区划代码": "640122",
            "籍贯": "宁夏贺兰",
            "国籍/地区": "中国",
            "港澳台侨外": "否",
            "政治面貌": "群众",
            "姓名拼音": "",
            "班内学号": str(i % 50 + 1),
            "入学方式": "就近入学",
        }
        yield [row[h] for h in headers]


def _child_generate(path: str, n: int, code: str, openpyxl_style: bool) -> None:
    import django

    django.setup()
    generate(path, n, code, openpyxl_style)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--openpyxl", action="store_true", help="write the file with openpyxl instead")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (file and database)"
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="anxin-bench-roster-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["ANXIN_VAR_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("ANXIN_TASKS_IMMEDIATE", "1")
    code = "2164012299"

    path = os.path.join(tmp, "roster.xlsx")
    t0 = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(
        target=_child_generate, args=(path, args.students, code, args.openpyxl)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit("generating the file failed")
    print(f"BENCH roster_generate_seconds {time.perf_counter() - t0:.1f} s")
    print(f"BENCH roster_file_mb {os.path.getsize(path) / 1048576:.1f} MB")

    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from anxin.accounts.models import Membership, User
    from anxin.org.models import County, School
    from anxin.roster import services
    from anxin.roster.models import Guardian, Placement, Student

    call_command("migrate", verbosity=0)
    county = County.objects.create(name="贺兰县", code="640122", bureau_name="贺兰县教育体育局")
    school = School.objects.create(
        county=county, name="贺兰县第一中学", code=code, type="junior", town="习岗镇"
    )
    user = User.objects.create(username="bench", real_name="校长", county=county, must_change_password=False)
    Membership.objects.create(
        user=user, role="principal", county=county, school=school, started_on=dt.date(2020, 1, 1)
    )
    base_mb = peak_mb()

    t0 = time.perf_counter()
    c0 = time.process_time()
    with open(path, "rb") as fh:
        ri = services.validate_upload(File(fh, name="roster.xlsx"), school, user, create_classes=True)
    t_validate = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = services.commit_import(ri, only_valid=False, by=user)
    t_commit = time.perf_counter() - t1
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = peak_mb()
    print(f"BENCH roster_rows {ri.total_rows} rows")
    print(f"BENCH roster_errors {len(ri.errors)} errors")
    print(f"BENCH roster_validate_seconds {t_validate:.1f} s")
    print(f"BENCH roster_commit_seconds {t_commit:.1f} s")
    print(f"BENCH roster_import_seconds {total:.1f} s")
    print(f"BENCH roster_import_cpu_seconds {cpu:.1f} s")
    print(f"BENCH roster_import_peak_mb {peak:.0f} MB")
    print(f"BENCH roster_baseline_mb {base_mb:.0f} MB")
    print(f"BENCH roster_rows_per_second {ri.total_rows / total:.0f} rows/s")
    print(f"BENCH roster_students_created {result['students_created']} students")
    print(f"BENCH roster_guardians_created {result['guardians_created']} guardians")

    t0 = time.perf_counter()
    with open(path, "rb") as fh:
        ri2 = services.validate_upload(File(fh, name="roster.xlsx"), school, user, create_classes=True)
    again = services.commit_import(ri2, only_valid=False, by=user)
    print(f"BENCH roster_reimport_seconds {time.perf_counter() - t0:.1f} s")
    print(f"BENCH roster_reimport_changed {again['students_created'] + again['students_updated']} students")
    print(f"BENCH roster_reimport_peak_mb {peak_mb():.0f} MB")
    print(
        f"BENCH roster_db_rows {Student.objects.count() + Guardian.objects.count() + Placement.objects.count()} rows"
    )
    if args.keep:
        print(f"# kept {tmp}")
    else:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
