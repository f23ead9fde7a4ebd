"""The monthly report as files: an xlsx workbook and a PDF, both in Chinese.

The report goes on file at the county bureau, so like the mediation
agreement it is written in Chinese whatever the user's language. Both files
lay out the same :class:`assessments.reports.monthly.MonthlyReport`: a summary with
one row per station and the bureau's total, then one part per station with
its figures and its staff's assessment and weekly quota completion.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from assessments.reports.monthly import LIVE, MonthlyReport, Section
from policing import spreadsheets
from policing.pdf import cjk_font, markup

STATUS_LABELS = {
    "published": "已发布",
    "computed": "已计算（未发布）",
    LIVE: "实时计算",
}
#: The indicators are 0-100 scores, not the rates they are named after: a
#: 发案率 of 100 means few incidents.
INDICATOR_LABELS = {
    "visibility": "见警率得分",
    "familiarity": "熟悉率得分",
    "incident_rate": "发案率得分",
    "information": "信息采集率得分",
    "effectiveness": "实效率得分",
    "satisfaction": "群众满意率得分",
}

PERCENT = "0.0%"
CHANGE = "+0.0%;-0.0%;0.0%"
DECIMAL = "0.00"
INTEGER = "0"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str
    value: Callable[[Section], object]


def _rate(rate) -> float | None:
    return rate.rate


#: The figures of a station (or the bureau), one column each: the summary
#: sheet's columns and the head of each station's sheet.
FIGURE_COLUMNS = [
    Column(
        "一格一警覆盖率",
        12,
        PERCENT,
        lambda s: _rate(s.coverage.grid_officer_coverage),
    ),
    Column(
        "社区警务室覆盖率",
        12,
        PERCENT,
        lambda s: _rate(s.coverage.community_office_coverage),
    ),
    Column(
        "农村警务室覆盖率",
        12,
        PERCENT,
        lambda s: _rate(s.coverage.rural_office_coverage),
    ),
    Column(
        "警务工作站覆盖率",
        12,
        PERCENT,
        lambda s: _rate(s.coverage.workstation_coverage),
    ),
    Column(
        "警务室民警占比", 12, PERCENT, lambda s: _rate(s.coverage.post_officer_share)
    ),
    Column(
        "覆盖率月环比",
        11,
        CHANGE,
        lambda s: s.trends.month_on_month.get("grid_officer_coverage"),
    ),
    Column("周任务完成率", 11, PERCENT, lambda s: s.quota_completion),
    Column("达标人周", 9, INTEGER, lambda s: s.weeks_met),
    Column("应考核人周", 10, INTEGER, lambda s: s.weeks_tracked),
    Column("完成率周环比", 11, CHANGE, lambda s: s.trends.week_on_week),
    Column("考核平均分", 10, DECIMAL, lambda s: s.assessment_average),
    Column("纠纷受理", 9, INTEGER, lambda s: s.disputes.counts.total),
    Column("绿色", 6, INTEGER, lambda s: s.disputes.counts.by_colour["green"]),
    Column("黄色", 6, INTEGER, lambda s: s.disputes.counts.by_colour["yellow"]),
    Column("橙色", 6, INTEGER, lambda s: s.disputes.counts.by_colour["orange"]),
    Column("红色", 6, INTEGER, lambda s: s.disputes.counts.by_colour["red"]),
    Column("纠纷化解率", 10, PERCENT, lambda s: _rate(s.disputes.success_rate)),
    Column("超期未结", 9, INTEGER, lambda s: s.disputes.counts.overdue),
    Column("案件", 6, INTEGER, lambda s: s.incidents.cases),
    Column("刑事", 6, INTEGER, lambda s: s.incidents.criminal),
    Column("治安", 6, INTEGER, lambda s: s.incidents.administrative),
    Column("万人发案率", 10, DECIMAL, lambda s: s.incidents.rate_per_10k),
    Column("发案同比", 9, CHANGE, lambda s: s.incidents.yoy_change),
    Column("破案（查处）率", 12, PERCENT, lambda s: _rate(s.clearance.overall)),
]


def title(report: MonthlyReport) -> str:
    month = report.month
    return f"{report.bureau_name}{month.year}年{month.month}月网格警务工作月报"


def subtitle(report: MonthlyReport) -> str:
    generated = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    status = STATUS_LABELS[report.assessment_status]
    return f"统计月份：{report.month}　考核状态：{status}　生成时间：{generated}"


def _cell_value(value):
    # openpyxl writes Decimal as a number; None stays an empty cell.
    return float(value) if isinstance(value, Decimal) else value


#
# xlsx
#

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TOTAL_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="B7B7B7")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def report_xlsx(report: MonthlyReport) -> bytes:
    """Return the report as an xlsx workbook: a summary and a sheet per station."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _heading(summary, report, "全局汇总")
    header_row = 4
    _header(summary, header_row, ["派出所", *(c.header for c in FIGURE_COLUMNS)])
    _widths(summary, [16, *(c.width for c in FIGURE_COLUMNS)])
    row = header_row + 1
    for section in [*report.stations, report.summary]:
        _figures_row(summary, row, section, label=section.name)
        row += 1
    for cell in summary[row - 1]:
        cell.font = TOTAL_FONT
    spreadsheets.write(summary, row - 1, 1, "合计")
    summary.freeze_panes = summary.cell(header_row + 1, 2)

    used_names = {"汇总"}
    for section in report.stations:
        sheet = workbook.create_sheet(_sheet_name(section.name, used_names))
        _station_sheet(sheet, report, section)
    spreadsheets.defuse(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _station_sheet(sheet, report: MonthlyReport, section: Section) -> None:
    _heading(sheet, report, section.name)
    _header(sheet, 4, [c.header for c in FIGURE_COLUMNS])
    for column, spec in enumerate(FIGURE_COLUMNS, start=1):
        cell = spreadsheets.write(sheet, 5, column, _cell_value(spec.value(section)))
        cell.number_format = spec.number_format
        cell.border = BORDER

    header_row = 7
    headers = [
        "站内排名",
        "局内排名",
        "姓名",
        *INDICATOR_LABELS.values(),
        "考核得分",
        *(f"{week}完成率" for week in report.weeks),
        "月均完成率",
        "达标周数",
    ]
    _header(sheet, header_row, headers)
    quotas = {person.person: person for person in section.quotas}
    people = [(row.person, row.person_name, row) for row in section.assessment]
    assessed = {person for person, _name, _row in people}
    people += [
        (person.person, person.person_name, None)
        for person in section.quotas
        if person.person not in assessed
    ]
    row_number = header_row + 1
    for person, name, row in people:
        quota = quotas.get(person)
        values = [
            (row and row.rank_in_station, INTEGER),
            (row and row.rank_in_bureau, INTEGER),
            (name, "@"),
            *(
                (row and getattr(row, indicator), DECIMAL)
                for indicator in INDICATOR_LABELS
            ),
            (row and row.score, DECIMAL),
            *(
                (quota.completions[n] if quota else None, PERCENT)
                for n in range(len(report.weeks))
            ),
            (quota and quota.completion, PERCENT),
            (quota and quota.weeks_met, INTEGER),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            cell = spreadsheets.write(sheet, row_number, column, _cell_value(value))
            cell.number_format = number_format
            cell.border = BORDER
        row_number += 1
    if not people:
        spreadsheets.write(sheet, row_number, 1, "本月无考核人员")
    widths = [9, 9, 12, *([10] * 7), *([11] * len(report.weeks)), 11, 9]
    # The figures above share the columns: each gets the wider of the two.
    _widths(
        sheet,
        [
            max(pair)
            for pair in zip_longest(
                widths, (c.width for c in FIGURE_COLUMNS), fillvalue=0
            )
        ],
    )
    sheet.freeze_panes = sheet.cell(header_row + 1, 4)


def _heading(sheet, report: MonthlyReport, part: str) -> None:
    spreadsheets.write(sheet, 1, 1, f"{title(report)}·{part}").font = TITLE_FONT
    spreadsheets.write(sheet, 2, 1, subtitle(report))


def _header(sheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = spreadsheets.write(sheet, row, column, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        cell.border = BORDER
    sheet.row_dimensions[row].height = 32


def _figures_row(sheet, row: int, section: Section, *, label: str) -> None:
    spreadsheets.write(sheet, row, 1, label).border = BORDER
    for column, spec in enumerate(FIGURE_COLUMNS, start=2):
        cell = spreadsheets.write(sheet, row, column, _cell_value(spec.value(section)))
        cell.number_format = spec.number_format
        cell.border = BORDER


def _widths(sheet, widths: list[float]) -> None:
    for column, width in enumerate(widths, start=1):
        if width:
            sheet.column_dimensions[get_column_letter(column)].width = width


def _sheet_name(name: str, used: set[str]) -> str:
    """Return a valid, unused sheet name: 31 characters, none of []:*?/\\."""
    cleaned = "".join(
        "_" if char in "[]:*?/\\" else char for char in spreadsheets.clean(name)
    )[:31]
    candidate, n = cleaned or "派出所", 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


#
# PDF
#

PAGE = landscape(A4)
MARGIN = 15 * mm
SERIES_COLOURS = [colors.HexColor("#1F4E79"), colors.HexColor("#F4A300")]


def report_pdf(report: MonthlyReport) -> bytes:
    """Return the report as a PDF: summary table, chart, one part per station."""
    font = cjk_font()
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=13, leading=18),
        "body": ParagraphStyle(
            "body", fontName=font, fontSize=9, leading=13, wordWrap="CJK"
        ),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title(report),
        author=report.bureau_name,
    )
    story = [
        Paragraph(markup(title(report)), styles["title"]),
        Paragraph(markup(subtitle(report)), styles["body"]),
        Spacer(0, 4 * mm),
        _summary_table(report, font),
        Spacer(0, 6 * mm),
        Paragraph("各派出所考核平均分与周任务完成率", styles["heading"]),
        _chart(report, font),
    ]
    for section in report.stations:
        story += [
            PageBreak(),
            _RunningSection(f"{section.name}（{section.code}）"),
            Paragraph(markup(f"{section.name}（{section.code}）"), styles["heading"]),
            Spacer(0, 2 * mm),
            _figures_table(section, font),
            Spacer(0, 4 * mm),
            _people_table(report, section, font, styles["body"]),
        ]
    document.build(story, canvasmaker=_numbered_canvas(title(report), font))
    return buffer.getvalue()


class _RunningSection(Flowable):
    """Names the station whose part begins here, for the running header."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.canv.section_name = self.name


def _numbered_canvas(running_title: str, font: str) -> type[Canvas]:
    """A canvas that puts the title and station on top of every page and
    "第 n 页 / 共 m 页" at its foot.

    The page count is known only at the end, so every page is kept until
    ``save`` and drawn then (reportlab's two-pass recipe).
    """

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.section_name = ""
            self._kept_pages = []

        def showPage(self):
            self._kept_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._kept_pages)
            for number, page in enumerate(self._kept_pages, start=1):
                self.__dict__.update(page)
                self._draw_running_text(number, total)
                super().showPage()
            super().save()

        def _draw_running_text(self, number: int, total: int) -> None:
            width, height = PAGE
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(colors.HexColor("#555555"))
            header = " · ".join(filter(None, [running_title, self.section_name]))
            self.drawString(MARGIN, height - MARGIN + 4 * mm, header)
            self.drawRightString(
                width - MARGIN, MARGIN - 8 * mm, f"第 {number} 页 / 共 {total} 页"
            )
            self.restoreState()

    return NumberedCanvas


#: The summary columns of the PDF: the landscape page holds about a dozen.
PDF_SUMMARY = [
    "一格一警覆盖率",
    "警务室民警占比",
    "周任务完成率",
    "完成率周环比",
    "考核平均分",
    "纠纷受理",
    "红色",
    "纠纷化解率",
    "超期未结",
    "案件",
    "万人发案率",
    "破案（查处）率",
]


def _format(value, number_format: str) -> str:
    if value is None:
        return "—"
    if number_format == PERCENT:
        return f"{float(value):.1%}"
    if number_format == CHANGE:
        return f"{float(value):+.1%}"
    if number_format == DECIMAL:
        return f"{float(value):.2f}"
    return str(value)


def _table(rows: list[list], font: str, *, text_columns=(0,), total_row=False) -> Table:
    """Return a table with a header row repeated on each page.

    Numbers are right-aligned, the ``text_columns`` (names) left-aligned.
    """
    table = _BalancedTable(rows, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#B7B7B7")),
        ("ALIGN", (0, 1), (-1, -1), "RIGHT"),
        *(("ALIGN", (column, 1), (column, -1), "LEFT") for column in text_columns),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        (
            "ROWBACKGROUNDS",
            (0, 1),
            (-1, -1),
            [colors.white, colors.HexColor("#F2F6FA")],
        ),
    ]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#DDE7F0")))
    table.setStyle(TableStyle(style))
    return table


#: The fewest body rows a table split leaves on a page of their own.
MIN_ROWS_ON_A_PAGE = 12


class _BalancedTable(Table):
    """A table whose split leaves no page with a handful of rows on it.

    When the rows that overflow a page are fewer than ``MIN_ROWS_ON_A_PAGE``,
    the split comes earlier, so the next page gets that many.
    """

    def split(self, available_width, available_height):
        parts = super().split(available_width, available_height)
        if len(parts) != 2:
            return parts
        left_over = len(parts[1]._cellvalues) - self.repeatRows
        if left_over >= MIN_ROWS_ON_A_PAGE:
            return parts
        body_heights = self._rowHeights[self.repeatRows :]
        row_height = sum(body_heights) / len(body_heights)
        shortfall = MIN_ROWS_ON_A_PAGE - left_over
        earlier = super().split(
            available_width, available_height - shortfall * row_height
        )
        if (
            len(earlier) == 2
            and len(earlier[0]._cellvalues) - self.repeatRows >= MIN_ROWS_ON_A_PAGE
        ):
            # The page has room left: the rest would start in it otherwise.
            return [earlier[0], PageBreak(), earlier[1]]
        return parts


def _summary_table(report: MonthlyReport, font: str) -> Table:
    columns = [c for c in FIGURE_COLUMNS if c.header in PDF_SUMMARY]
    rows = [["派出所", *(c.header for c in columns)]]
    for section in report.stations:
        rows.append(
            [
                section.name,
                *(_format(c.value(section), c.number_format) for c in columns),
            ]
        )
    rows.append(
        ["合计", *(_format(c.value(report.summary), c.number_format) for c in columns)]
    )
    return _table(rows, font, total_row=True)


def _figures_table(section: Section, font: str) -> Table:
    columns = [c for c in FIGURE_COLUMNS if c.header in PDF_SUMMARY]
    return _table(
        [
            [c.header for c in columns],
            [_format(c.value(section), c.number_format) for c in columns],
        ],
        font,
        text_columns=(),
    )


def _people_table(
    report: MonthlyReport, section: Section, font: str, body: ParagraphStyle
):
    if not section.assessment:
        return Paragraph("本月无考核人员。", body)
    quotas = {person.person: person for person in section.quotas}
    rows = [
        [
            "站内排名",
            "局内排名",
            "姓名",
            *INDICATOR_LABELS.values(),
            "得分",
            "月均完成率",
            "达标周数",
        ]
    ]
    for row in section.assessment:
        quota = quotas.get(row.person)
        rows.append(
            [
                _format(row.rank_in_station, INTEGER),
                _format(row.rank_in_bureau, INTEGER),
                row.person_name,
                *(
                    _format(getattr(row, indicator), DECIMAL)
                    for indicator in INDICATOR_LABELS
                ),
                _format(row.score, DECIMAL),
                _format(quota and quota.completion, PERCENT),
                _format(quota and quota.weeks_met, INTEGER),
            ]
        )
    return _table(rows, font, text_columns=(2,))


def _chart(report: MonthlyReport, font: str) -> Drawing:
    """Bars per station: assessment average (0-100) and quota completion (%)."""
    width, height = PAGE[0] - 2 * MARGIN, 70 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 15 * mm, 15 * mm
    chart.width, chart.height = width - 70 * mm, height - 25 * mm
    stations = report.stations
    chart.data = [
        [float(s.assessment_average or 0) for s in stations] or [0],
        [float(s.quota_completion or 0) * 100 for s in stations] or [0],
    ]
    chart.categoryAxis.categoryNames = [s.name for s in stations] or ["—"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = font
    chart.barSpacing = 1
    for index, colour in enumerate(SERIES_COLOURS):
        chart.bars[index].fillColor = colour
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 50 * mm, height - 15 * mm
    legend.fontName = font
    legend.fontSize = 8
    legend.colorNamePairs = list(
        zip(SERIES_COLOURS, ["考核平均分", "周任务完成率（%）"], strict=True)
    )
    drawing.add(legend)
    return drawing
