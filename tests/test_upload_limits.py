"""Bounded uploads (issue 27, item 1): the probe's five files, each refused
with a clear message while the process reading it stays under a stated
memory bound.

Each file is built as the probe built it, then checked in a fresh Python
process (``RSS_PROBE``) that does what the server does with an upload: the
upload form's early check, then the job's reading of the file. The process
reports its peak resident set size (``VmHWM``), so the figure is the
reading's own, not the test runner's.
"""

import json
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from dashboards import maps
from ledgers import jobs, map_files, sheets, upload_limits
from ledgers.base import LedgerFileError
from ledgers.models import LedgerImport
from policing import geometry

pytestmark = pytest.mark.django_db
linux_only = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads /proc/self/status"
)

#: Peak RSS of the checking process, Django loaded (about 105 MB alone), and
#: what reading a refused file may add to it (the file itself is held in
#: memory, as the web request holds it: 24 MB for the GeoJSON). Measured:
#: +11 MB (CSV), +2 (xlsx rows), +2 (xlsx cell), +23 (GeoJSON).
RSS_BOUND_MB = 300
RSS_GROWTH_BOUND_MB = 64

RSS_PROBE = r"""
import json, os, re, sys
import django


def peak_rss_mb():
    # VmHWM: this process's own peak, reset at exec (ru_maxrss is not: it
    # keeps the forking parent's figure).
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


os.environ["DJANGO_SETTINGS_MODULE"] = "policing.settings_test"
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from ledgers import map_files, sheets
from ledgers.base import LedgerFileError
from ledgers.forms import LedgerUploadForm
from ledgers.jobs import MAX_FILE_BYTES

path, entity = sys.argv[1], sys.argv[2]
baseline = peak_rss_mb()
content = open(path, "rb").read()
form = LedgerUploadForm(
    {"entity": entity},
    {"file": SimpleUploadedFile(os.path.basename(path), content)},
    max_bytes=MAX_FILE_BYTES,
)
form.is_valid()
form_error = " ".join(form.errors.get("file", []))
try:
    if entity == "grids":
        map_files.read_features(content)
    else:
        sheets.read_table(content, os.path.basename(path), entity)
    job_error = ""
except LedgerFileError as error:
    job_error = str(error)
print(json.dumps({"form": form_error, "job": job_error,
                  "baseline_mb": round(baseline), "peak_mb": round(peak_rss_mb())}))
"""


def probe(path: Path, entity: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(path), entity],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


#
# The probe's files
#


def million_row_csv(path: Path) -> Path:
    """10.9 MB, 1,000,000 rows: within the 30 MB upload limit."""
    with path.open("w", encoding="utf-8") as out:
        out.write("标准地址,网格编码\n")
        for n in range(1_000_000):
            out.write(f"{n}号,G\n")
    return path


XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>标准地址</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>网格编码</t></is></c></row>'
)


ROW = (
    '<row><c t="inlineStr"><is><t>城关镇幸福社区建设路1号1单元</t></is></c>'
    '<c t="inlineStr"><is><t>530321-01-01</t></is></c></row>'
)


def xlsx_bomb(path: Path, *, rows: int = 0, cell_bytes: int = 0) -> Path:
    """An xlsx written part by part, streamed through the compressor.

    ``rows``: that many data rows in the sheet (4,000,000: 524 MB unpacked).
    ``cell_bytes``: one shared string of that length in the second row's
    first cell (1.57 GB in the probe).
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in XLSX_PARTS.items():
            book.writestr(name, text)
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main" count="1" '
                b'uniqueCount="1"><si><t>'
            )
            chunk = b"A" * (1 << 20)
            written = 0
            while written < cell_bytes:
                piece = chunk[: cell_bytes - written]
                part.write(piece)
                written += len(piece)
            part.write(b"</t></si></sst>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((SHEET_HEAD + HEADER_ROW).encode())
            if cell_bytes:
                part.write(b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>')
            # Identical rows, as a bomb has them: 131 bytes each unpacked,
            # next to nothing packed.
            block = ROW.encode() * 10_000
            for _ in range(rows // 10_000):
                part.write(block)
            part.write(ROW.encode() * (rows % 10_000) + SHEET_TAIL.encode())
    return path


def vertex_geojson(path: Path, *, vertices: int = 1_000_000) -> Path:
    """A 25 MB FeatureCollection: one grid whose ring has a million vertices."""
    step = 2 * math.pi / vertices
    ring = ",".join(
        f"[{103.8 + 0.01 * math.cos(i * step):.7f},"
        f"{25.49 + 0.01 * math.sin(i * step):.7f}]"
        for i in range(vertices)
    )
    first = f"[{103.8 + 0.01:.7f},{25.49:.7f}]"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"properties":{"code":"BIG","area":"A社区"},"geometry":{"type":"Polygon",'
        f'"coordinates":[[{ring},{first}]]}}}}]}}'
    )
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    return {
        "csv": million_row_csv(folder / "rows.csv"),
        "xlsx_rows": xlsx_bomb(folder / "rows.xlsx", rows=4_000_000),
        "xlsx_cell": xlsx_bomb(folder / "cell.xlsx", cell_bytes=1_570_000_000),
        "geojson": vertex_geojson(folder / "map.geojson"),
    }


@linux_only
@pytest.mark.parametrize(
    ("name", "entity", "message"),
    [
        ("csv", "households", "more than 200,000 rows"),
        ("xlsx_rows", "households", "unpacks to"),
        ("xlsx_cell", "households", "unpacks to"),
        ("geojson", "grids", "vertices"),
    ],
)
def test_the_probes_files_are_refused_within_the_memory_bound(
    files, name, entity, message
):
    path = files[name]
    assert path.stat().st_size < jobs.MAX_FILE_BYTES  # passes the size limit
    result = probe(path, entity)
    # The figures, for docs/security.md (shown with pytest -s).
    print(f"{name}: {path.stat().st_size / 2**20:.1f} MB, {result}")  # noqa: T201
    assert message in result["form"]  # refused in the web request
    assert message in result["job"]  # and by the job, whatever reached it
    assert result["peak_mb"] < RSS_BOUND_MB
    assert result["peak_mb"] - result["baseline_mb"] < RSS_GROWTH_BOUND_MB


def test_the_probes_files_are_what_the_probe_sent(files):
    """The sizes the issue gives, so the test is the attack itself."""
    with zipfile.ZipFile(files["xlsx_rows"]) as book:
        assert sum(i.file_size for i in book.infolist()) > 500 * 2**20
    with zipfile.ZipFile(files["xlsx_cell"]) as book:
        assert sum(i.file_size for i in book.infolist()) > 1_570_000_000
    assert files["xlsx_cell"].stat().st_size < 3 * 2**20
    assert 10 * 2**20 < files["csv"].stat().st_size < 30 * 2**20
    assert 20 * 2**20 < files["geojson"].stat().st_size < 30 * 2**20


def test_the_api_refuses_a_multipolygon_of_20000_squares(world, client_for):
    squares = [
        [[[x, 25.0], [x + 0.001, 25.0], [x + 0.001, 25.001], [x, 25.001], [x, 25.0]]]
        for x in (100 + 0.002 * n for n in range(20_000))
    ]
    response = client_for(world.users["chief_s"]).patch(
        f"/api/v1/grids/{world.grids['A'].pk}/",
        {"boundary": {"type": "MultiPolygon", "coordinates": squares}},
        format="json",
    )
    assert response.status_code == 400
    assert "parts" in str(response.json()["boundary"])


def test_a_polygon_over_the_vertex_bound_is_refused(world, client_for, settings):
    settings.MAP_MAX_VERTICES_PER_POLYGON = 100
    step = 2 * math.pi / 200
    ring = [
        [103.8 + 0.01 * math.cos(i * step), 25.49 + 0.01 * math.sin(i * step)]
        for i in range(200)
    ]
    response = client_for(world.users["chief_s"]).patch(
        f"/api/v1/grids/{world.grids['A'].pk}/",
        {"boundary": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}},
        format="json",
    )
    assert response.status_code == 400
    assert "vertices" in str(response.json()["boundary"])


#
# The job's own checks, row by row (a file the form's byte counts let by)
#


def test_the_job_refuses_rows_past_the_bound_as_it_reads(world, settings):
    settings.LEDGER_MAX_ROWS = 3
    code = world.grids["A"].code
    rows = "".join(f'"{n}号\n楼",{code}\n' for n in range(4))  # quoted line ends
    job = jobs.upload(
        user=world.users["chief_s"],
        entity="households",
        file_name="x.csv",
        content=f"标准地址,网格编码\n{rows}".encode(),
        language="en",
    )
    job = jobs.run_check(job)
    assert job.status == LedgerImport.Status.REFUSED
    assert "more than 3 rows" in job.error


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_cell_past_the_bound_is_refused_with_its_place(world, settings, file_format):
    settings.LEDGER_MAX_CELL_CHARS = 10
    dataset_rows = [["标准地址", "网格编码"], ["x" * 11, "G"]]
    if file_format == "csv":
        content = "\n".join(",".join(row) for row in dataset_rows).encode()
    else:
        import io

        import openpyxl

        book = openpyxl.Workbook()
        for row in dataset_rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    with pytest.raises(LedgerFileError, match="Row 2, column 1"):
        sheets.read_table(content, f"x.{file_format}", "households")


def test_a_map_past_the_file_bound_is_refused_after_parsing(settings):
    settings.MAP_MAX_VERTICES_PER_FILE = 12  # 22 brackets pass the byte count
    square = [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]
    feature = {"type": "Feature", "properties": {}, "geometry": None}
    features = [
        {**feature, "geometry": {"type": "Polygon", "coordinates": square}}
        for _ in range(3)
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features})
    with pytest.raises(LedgerFileError, match="15"):
        map_files.read_features(content.encode())
    assert upload_limits.max_file_vertices() == 12


#
# Maps drawn from simplified outlines
#


def circle(vertices: int, radius: float = 0.01) -> dict:
    step = 2 * math.pi / vertices
    ring = [
        [103.8 + radius * math.cos(i * step), 25.49 + radius * math.sin(i * step)]
        for i in range(vertices)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_dashboards_draw_a_dense_outline_simplified_for_their_zoom():
    dense = circle(10_000)  # a 2 km wide grid, a vertex every 60 cm
    drawn = maps.for_display(dense, zoom=maps.DASHBOARD_ZOOM)
    assert geometry.vertex_count(drawn) < 400
    detail = maps.for_display(dense, zoom=maps.GRID_ZOOM)
    assert geometry.vertex_count(drawn) < geometry.vertex_count(detail) < 10_000
    small = circle(50)
    assert maps.for_display(small, zoom=maps.DASHBOARD_ZOOM) is small
    collection = maps.feature_collection([(dense, {"id": 1})])
    assert geometry.vertex_count(collection["features"][0]["geometry"]) < 400
