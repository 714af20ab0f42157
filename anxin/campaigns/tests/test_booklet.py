"""The booklet (R-CMP-2): .docx opened again with python-docx (chapter order, bylines, a real
TOC field, page numbers); PDF text extracted (Chinese present) with the font embedded."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from anxin.campaigns import booklet, services
from anxin.campaigns.tests.helpers import campaign
from anxin.campaigns.tests.test_services import _png
from anxin.core.roles import Role
from anxin.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(world):
    c = campaign(world)
    office = world.user[Role.BUREAU_SAFETY]
    a2p = make_user("a2_principal", world.county_a, Role.PRINCIPAL, world.school_a2)
    first = services.save_article(
        by=world.user[Role.PRINCIPAL],
        campaign=c,
        school=world.school_a1,
        title="织密排查网络　守护阳光校园",
        body="<h2>一、主要做法</h2><p>全面排查<strong>弱势学生</strong>，建立台账。</p><ul><li>谈心谈话</li><li>家访</li></ul>",
        files=[_png()],
    )
    second = services.save_article(
        by=a2p,
        campaign=c,
        school=world.school_a2,
        title="小学低段防欺凌教育的探索",
        body="<p>以班会课为主阵地。</p>",
    )
    for a, who in ((first, world.user[Role.PRINCIPAL]), (second, a2p)):
        services.submit_article(by=who, article=a)
        services.accept_article(by=office, article=a)
    # the bureau's order: the primary school first
    services.set_booklet(by=office, campaign=c, article_ids=[second.pk, first.pk])
    return c, first, second


def test_docx_has_cover_toc_field_chapters_in_order_with_bylines_and_page_numbers(world, compiled):
    c, first, second = compiled
    doc = Document(io.BytesIO(booklet.docx(c)))
    texts = [p.text for p in doc.paragraphs]
    assert c.title in texts and "经验材料汇编" in texts and "贺兰县教育体育局" in texts
    chapters = [p for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in chapters] == [second.title, first.title]
    # the byline follows each chapter title
    for ch, school in zip(chapters, (world.school_a2, world.school_a1), strict=True):
        i = doc.paragraphs.index(ch) if ch in doc.paragraphs else texts.index(ch.text)
        assert texts[i + 1] == school.name
    body = doc.element.body.xml
    assert 'TOC \\o "1-1"' in body and 'w:fldCharType="begin"' in body
    assert "弱势学生" in body and "1. 谈心谈话" in texts
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer
    assert doc.settings.element.find(qn("w:updateFields")) is not None
    assert len(doc.inline_shapes) == 1  # the article's photo
    # the chapter title's East Asian font is the official title font
    run = chapters[0].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_pdf_has_chinese_text_contents_and_an_embedded_subset_font(world, compiled, tmp_path):
    c, first, second = compiled
    data = booklet.pdf(c)
    assert data.startswith(b"%PDF")
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    assert shutil.which("pdftotext") and shutil.which("pdffonts"), "poppler-utils is needed"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    first.title = first.title.replace("\u3000", " ")  # the extractor reads the ideographic space as a space
    assert "经验材料汇编" in text and "目录" in text
    assert second.title in text and first.title in text and "贺兰县习岗小学" in text
    # contents page lists both chapters before the first chapter's page
    toc_part = text.split("目录", 1)[1]
    assert toc_part.index(second.title) < toc_part.index(first.title)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        # name  type…  encoding  emb sub uni  object ID
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), fonts
    assert any(r[0].split("+", 1)[-1].startswith("AnxinCJK-") for r in rows), fonts


def test_empty_booklet_still_compiles(world):
    c = campaign(world)
    assert Document(io.BytesIO(booklet.docx(c))).paragraphs
    assert booklet.pdf(c).startswith(b"%PDF")
