"""What the Word reader sees in WordprocessingML that the samples do not exercise.

Each document is written here with python-docx, its body as the XML Word itself writes for
the construct (content controls, nested tables, gridBefore, tracked changes, text boxes,
styles that make a heading bold, lists sharing one definition). Expected values are the text
typed into the XML.
"""

from __future__ import annotations

import io

from docx.oxml import parse_xml

import extractors
from extractors.model import RawDocument

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml"'


def p(text: str, ppr: str = "", rpr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:rPr>{rpr}</w:rPr><w:t>{text}</w:t></w:r></w:p>"


def listed(text: str, num_id: int, ilvl: int = 0) -> str:
    return p(text, f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


def tc(*paras: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(paras) or '<w:p/>'}</w:tc>"


def tbl(*rows: str) -> str:
    return f"<w:tbl><w:tblPr/>{''.join(rows)}</w:tbl>"


def tr(*cells: str, props: str = "") -> str:
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def read(body: str, numbering: str = "", styles: str = "") -> RawDocument:
    import docx

    document = docx.Document()
    element = document.element.body
    for child in list(element):
        if not child.tag.endswith("sectPr"):
            element.remove(child)
    for child in parse_xml(f"<w:body {NS}>{body}</w:body>"):
        element.insert(len(element) - 1, child)
    if numbering:
        part = document.part.numbering_part.element
        for child in parse_xml(f"<w:numbering {NS}>{numbering}</w:numbering>"):
            part.append(child)
    if styles:
        for child in parse_xml(f"<w:styles {NS}>{styles}</w:styles>"):
            document.styles.element.append(child)
    buffer = io.BytesIO()
    document.save(buffer)
    return extractors.read(buffer.getvalue())


def abstract(abstract_id: int, fmt: str, text: str, start: int = 1) -> str:
    return (
        f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0">'
        f'<w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        "</w:lvl></w:abstractNum>"
    )


def num(num_id: int, abstract_id: int, start: int | None = None) -> str:
    override = (
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        if start is not None
        else ""
    )
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'


def cell_texts(doc: RawDocument, table: int = 0) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in doc.tables[table].rows]


def test_merged_cells_expand_as_html_spans() -> None:
    doc = read(
        tbl(
            tr(tc(p("ตัวชี้วัด")), tc(p("มาตรการ")), tc(p("หน่วยงาน"))),
            tr(
                tc(p("ตัวชี้วัดที่ 1"), props='<w:vMerge w:val="restart"/>'),
                tc(p("ก")),
                tc(p("กองคลัง"), props='<w:vMerge w:val="restart"/>'),
            ),
            tr(tc(props="<w:vMerge/>"), tc(p("ข")), tc(props='<w:vMerge w:val="continue"/>')),
            tr(tc(p("IIT"), props='<w:gridSpan w:val="3"/>')),
        )
    )
    rows = doc.tables[0].rows
    assert cell_texts(doc) == [
        ["ตัวชี้วัด", "มาตรการ", "หน่วยงาน"],
        ["ตัวชี้วัดที่ 1", "ก", "กองคลัง"],
        ["ตัวชี้วัดที่ 1", "ข", "กองคลัง"],
        ["IIT", "", ""],
    ]
    assert [c.spanned for c in rows[2].cells] == [True, False, True]
    assert not any(c.spanned for c in rows[1].cells)


def test_grid_before_and_content_controls_keep_cells_in_their_columns() -> None:
    row = tr(tc(p("ก")), tc(p("ข")), tc(p("ค")))
    sdt_row = f"<w:sdt><w:sdtPr/><w:sdtContent>{row}</w:sdtContent></w:sdt>"
    doc = read(
        tbl(
            sdt_row,
            tr(tc(p("ง")), tc(p("จ")), props='<w:gridBefore w:val="1"/>'),
        )
    )
    assert cell_texts(doc) == [["ก", "ข", "ค"], ["", "ง", "จ"]]


def test_nested_table_gives_its_cells_paragraphs_in_order() -> None:
    inner = tbl(tr(tc(p("ร้อยละ 95")), tc(p("ร้อยละ 98"))))
    doc = read(tbl(tr(tc(p("ผล")), tc(p("ก่อน"), inner, p("หลัง")))))
    assert [b.text for b in doc.tables[0].rows[0].cells[1].blocks] == [
        "ก่อน",
        "ร้อยละ 95",
        "ร้อยละ 98",
        "หลัง",
    ]


def test_labels_from_numbering_definitions_with_restarts_and_shared_counters() -> None:
    numbering = (
        abstract(1, "thaiNumbers", "%1.")
        + abstract(2, "decimal", "%1)")
        + abstract(3, "bullet", "\uf0b7")
        + abstract(4, "thaiLetters", "%1.")
        + num(11, 1)
        + num(12, 1)
        + num(13, 1, start=1)
        + num(21, 2, start=5)
        + num(31, 3)
        + num(41, 4)
    )
    doc = read(
        tbl(
            tr(
                tc(
                    listed("หนึ่ง", 11),
                    listed("สอง", 11),
                    # another w:num of the same list, no override: Word goes on counting
                    listed("สาม", 12),
                    # "restart numbering": a w:num with a startOverride
                    listed("หนึ่งใหม่", 13),
                    listed("ห้า", 21),
                    listed("หก", 21),
                    listed("จุด", 31),
                    listed("ก", 41),
                    listed("ข", 41),
                )
            )
        ),
        numbering,
    )
    blocks = doc.tables[0].rows[0].cells[0].blocks
    assert [b.text for b in blocks] == [
        "๑. หนึ่ง",
        "๒. สอง",
        "๓. สาม",
        "๑. หนึ่งใหม่",
        "5) ห้า",
        "6) หก",
        "\uf0b7 จุด",
        "ก. ก",
        "ข. ข",
    ]
    assert [b.ordered_index for b in blocks] == [1, 2, 3, 1, 5, 6, None, 1, 2]
    assert all(b.kind == "item" for b in blocks)


def test_manual_breaks_split_blocks_and_tabs_are_spaces() -> None:
    body = (
        "<w:p><w:r><w:t>สำนักปลัด</w:t><w:br/><w:t>กองคลัง</w:t></w:r>"
        "<w:r><w:tab/><w:t>งานพัสดุ</w:t></w:r></w:p>"
    )
    doc = read(tbl(tr(tc(body))))
    assert [(b.kind, b.text) for b in doc.tables[0].rows[0].cells[0].blocks] == [
        ("para", "สำนักปลัด"),
        ("para", "กองคลัง งานพัสดุ"),
    ]


def test_bold_from_a_style_makes_a_heading_and_underline_counts() -> None:
    styles = (
        '<w:style w:type="paragraph" w:styleId="CellHeading"><w:name w:val="Cell Heading"/>'
        '<w:basedOn w:val="Normal"/><w:rPr><w:bCs/></w:rPr></w:style>'
    )
    doc = read(
        tbl(
            tr(
                tc(
                    p("ด้านจริยธรรม", '<w:pStyle w:val="CellHeading"/>'),
                    p("ด้านแนวทาง", rpr='<w:u w:val="single"/>'),
                    p("แต่งตั้งคณะกรรมการ"),
                    p("ไม่หนา", rpr='<w:b w:val="0"/>'),
                )
            )
        ),
        styles=styles,
    )
    assert [b.emphasis for b in doc.tables[0].rows[0].cells[0].blocks] == [
        True,
        True,
        False,
        False,
    ]


def test_text_boxes_deleted_text_and_field_codes_are_not_report_text() -> None:
    text_box = (
        "<w:r><w:pict><v:shape><v:textbox><w:txbxContent>"
        + p("ด่วนที่สุด")
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    title = (
        f"<w:p>{text_box}<w:r><w:t>รายงานผล </w:t></w:r>"
        "<w:del><w:r><w:delText>ร่าง </w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>ฉบับจริง </w:t></w:r></w:ins>"
        '<w:hyperlink r:id="" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<w:r><w:t>หน้า </w:t></w:r></w:hyperlink>{field}</w:p>"
    )
    doc = read(title + tbl(tr(tc(p("ก")), tc(p("ข")))))
    assert doc.tables[0].preceding_lines == ("รายงานผล ฉบับจริง หน้า 3",)


def test_title_block_is_the_paragraphs_above_each_table() -> None:
    doc = read(
        p("รายงานผลการดำเนินการ")
        + p("ประจำปีงบประมาณ พ.ศ. 2567")
        + tbl(tr(tc(p("ก")), tc(p("ข"))))
        + p("ตารางที่ 2")
        + tbl(tr(tc(p("ค")), tc(p("ง"))))
    )
    assert doc.format == "docx"
    assert [t.preceding_lines for t in doc.tables] == [
        ("รายงานผลการดำเนินการ", "ประจำปีงบประมาณ พ.ศ. 2567"),
        ("ตารางที่ 2",),
    ]
