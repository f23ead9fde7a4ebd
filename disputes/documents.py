"""Printable documents of a dispute: the mediation agreement (调解协议书).

The agreement is a legal form handed to every party and filed by the
station, so it is always Chinese whatever the user's language, it embeds its
font (prints the same on any machine) and it leaves out phone numbers.
"""

import functools
import io

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from policing.pdf import cjk_font, markup

TITLE = "矛盾纠纷调解协议书"

# A 28 mm binding margin on the left as in GB/T 9704, so filed copies stay
# readable; a little less at the top and bottom to keep short agreements on
# one page.
MARGINS = {
    "leftMargin": 28 * mm,
    "rightMargin": 26 * mm,
    "topMargin": 25 * mm,
    "bottomMargin": 25 * mm,
}
TEXT_WIDTH = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]

# Parties of Chinese agreements are 甲方, 乙方 ... in signing order.
PARTY_LABELS = "甲乙丙丁戊己庚辛壬癸"
DIGITS = "零一二三四五六七八九"


_font = cjk_font


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" breaks lines between any two characters, as Chinese
    # typesetting does; the default breaks only at spaces.
    body = ParagraphStyle(
        "body",
        fontName=_font(),
        fontSize=12,
        leading=20,
        wordWrap="CJK",
        firstLineIndent=24,
    )
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    return {
        "title": ParagraphStyle(
            "title", parent=plain, fontSize=22, leading=32, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", parent=plain, alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", parent=plain, spaceBefore=8),
        "body": body,
        "plain": plain,
        "cell": ParagraphStyle("cell", parent=plain, leading=18),
        "sign": ParagraphStyle("sign", parent=plain, leading=14),
        "date": ParagraphStyle("date", parent=plain, alignment=TA_RIGHT),
    }


def agreement_pdf(agreement) -> bytes:
    """Render ``agreement`` as an A4 PDF for the parties to sign.

    Rendered under the zh-hans translation so that choice labels (the dispute
    category) read as on the paper form, whatever the request's language.
    """
    station = agreement.dispute.grid.area.station
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{TITLE} {agreement.number}",
        subject=TITLE,
        author=station.name,
        lang="zh-CN",
        # otherwise every page names Helvetica, which is never embedded
        initialFontName=_font(),
        **MARGINS,
    )
    with translation.override("zh-hans"):
        story = _story(agreement)
    footer = functools.partial(_footer, number=agreement.number)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _story(agreement) -> list:
    dispute = agreement.dispute
    parties = list(agreement.consenting_parties.select_related("resident__household"))
    return [
        Paragraph(TITLE, _styles()["title"]),
        Spacer(0, 4 * mm),
        Paragraph(f"编号：{markup(agreement.number)}", _styles()["number"]),
        Spacer(0, 2 * mm),
        *_organisation(agreement),
        Spacer(0, 3 * mm),
        _parties_table(parties),
        *_facts(dispute),
        *_terms(agreement, parties),
        _signatures(agreement, parties),
    ]


def _organisation(agreement) -> list:
    station = agreement.dispute.grid.area.station
    lines = [f"调解组织：{station.bureau.name}{station.name}"]
    if agreement.place:
        lines.append(f"调解地点：{agreement.place}")
    return [Paragraph(markup(line), _styles()["plain"]) for line in lines]


def _table_style(*commands) -> TableStyle:
    """A table style in our font: Table's default, Helvetica, is not embedded."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), _font()), *commands])


def _party_label(index: int) -> str:
    if index < len(PARTY_LABELS):
        return f"{PARTY_LABELS[index]}方"
    return f"当事人{index + 1}"


def _address(party) -> str:
    """A resident's address is on record; other parties' is left to fill in."""
    return party.resident.household.address if party.resident else ""


def _parties_table(parties) -> Table:
    cell = _styles()["cell"]
    rows = [["当事人", "姓名", "住址"]]
    rows += [
        [_party_label(index), party.name, _address(party)]
        for index, party in enumerate(parties)
    ]
    table = Table(
        [[Paragraph(markup(text), cell) for text in row] for row in rows],
        colWidths=[24 * mm, 40 * mm, TEXT_WIDTH - 64 * mm],
        repeatRows=1,
    )
    table.setStyle(
        _table_style(
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        )
    )
    return table


def _lines(text: str, style: ParagraphStyle) -> list:
    """One paragraph per line, so the clerk's line breaks and numbering stay."""
    return [
        Paragraph(markup(line.strip()), style) if line.strip() else Spacer(0, 3 * mm)
        for line in text.strip().splitlines()
    ]


def _facts(dispute) -> list:
    styles = _styles()
    facts = [
        Paragraph("纠纷主要事实、争议事项：", styles["heading"]),
        Paragraph(f"纠纷类别：{dispute.get_category_display()}。", styles["body"]),
    ]
    if dispute.household:
        place = f"{dispute.grid.name}，{dispute.household.address}"
        facts.append(Paragraph(f"发生地点：{markup(place)}。", styles["body"]))
    return facts + _lines(dispute.summary, styles["body"])


def _terms(agreement, parties) -> list:
    styles = _styles()
    sides = "双方" if len(parties) == 2 else "各方"
    return [
        Paragraph(f"经调解，{sides}自愿达成如下协议：", styles["heading"]),
        *_lines(agreement.terms, styles["body"]),
    ]


def _chinese_number(number: int) -> str:
    """Write 1 to 99 as on a form: 三, 十二, 二十."""
    tens, units = divmod(number, 10)
    if not tens:
        return DIGITS[units]
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[units] if units else "")


def _chinese_date(moment) -> str:
    day = timezone.localtime(moment)
    return f"{day.year}年{day.month}月{day.day}日"


def _effect(parties) -> Paragraph:
    copies = _chinese_number(len(parties) + 1)
    return Paragraph(
        f"本协议自各方当事人签名之日起生效，一式{copies}份，"
        "当事人各执一份，调解组织留存一份。",
        _styles()["body"],
    )


def _signatures(agreement, parties) -> KeepTogether:
    """Signature block with the closing clause, kept on one page.

    A page holding signatures alone could be stapled to other terms.
    """
    styles = _styles()
    rows = [("当事人（签名）：", party.name) for party in parties]
    rows += [("调解员（签名）：", person.name) for person in agreement.mediators.all()]
    rows.append(("调解组织（盖章）：", agreement.dispute.grid.area.station.name))
    table = Table(
        [
            [Paragraph(markup(text), styles["sign"]) for text in row] + [""]
            for row in rows
        ],
        colWidths=[46 * mm, 32 * mm, TEXT_WIDTH - 78 * mm],
        rowHeights=[9 * mm] * (len(rows) - 1) + [18 * mm],
    )
    table.setStyle(
        _table_style(
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("VALIGN", (0, -1), (-1, -1), "MIDDLE"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("SPAN", (1, -1), (2, -1)),
            # the line to sign on, after each printed name
            ("LINEBELOW", (2, 0), (2, -2), 0.6, colors.black),
        )
    )
    return KeepTogether(
        [
            Spacer(0, 2 * mm),
            _effect(parties),
            Spacer(0, 2 * mm),
            table,
            Spacer(0, 2 * mm),
            Paragraph(_chinese_date(agreement.signed_at), styles["date"]),
        ]
    )


def _footer(canvas, document, *, number: str) -> None:
    """Number every page, so a missing page of a signed copy shows."""
    canvas.saveState()
    canvas.setFont(_font(), 9)
    canvas.drawCentredString(
        A4[0] / 2, 15 * mm, f"编号：{number}    第{document.page}页"
    )
    canvas.restoreState()
