"""Stages 1 and 2 of the city: bureau, stations, areas, grids, then posts.

The grids tile a jittered lattice around Zhengzhou's centre; a station is a
run of consecutive grids, an area a run within it. Posts of the four kinds
are placed in the areas they serve.
"""

import json
import math
import random

import shapely
from shapely.geometry import Polygon

from demo.city.shared import (
    CITY_NAME,
    AreaPlan,
    City,
    GridPlan,
    PostPlan,
    bulk_insert,
    unique_names,
    weighted,
)
from grids.models import Area, Grid
from policing import geometry
from stations.models import Bureau, Post, Station

#
# Stage 1: bureau, stations, areas and grids
#

CENTRE = (113.65, 34.75)  # longitude, latitude of the city centre
# A grid cell is about 1.1 km square at this latitude.
CELL_LON = 0.012
CELL_LAT = 0.010
# Corners move by up to this share of a cell, and edge midpoints across
# their edge by up to the second: shared edges stay shared and no cell can
# fold over (each boundary stays within a third of a cell of its line).
CORNER_JITTER = 0.15
MIDPOINT_JITTER = 0.08
#: share of the grids nearest the centre that are urban (communities)
URBAN_SHARE = 0.45
COMMUNITY_GRIDS = {3: 2, 4: 3, 5: 3, 6: 2}
VILLAGE_GRIDS = {1: 4, 2: 4, 3: 2}


STATION_NAMES = (
    "花园路",
    "文化路",
    "丰产路",
    "东风路",
    "南阳路",
    "杜岭",
    "人民路",
    "大石桥",
    "经八路",
    "北林路",
    "未来路",
    "兴达路",
    "祭城",
    "龙子湖",
    "博学路",
    "如意湖",
    "丰庆路",
    "国基路",
    "凤凰台",
    "南阳新村",
)


COMMUNITY_HEADS = "金银文和康福兴华安宏丰庆瑞祥裕锦翠柳桂绿紫顺商杜"
COMMUNITY_TAILS = "桥苑园城湖河林源泰盛馨坊苑岭"
VILLAGE_PREFIXES = ("", "大", "小", "前", "后", "东", "西", "南", "北")
VILLAGE_SURNAMES = (
    "刘张王李陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
)
VILLAGE_TAILS = "庄寨岗沟营店楼集湾坡屯河"


def create_territory(city: City) -> dict[str, int]:
    """Tile the city with grids, cut them into stations and areas, write them.

    Grids are the cells of a jittered lattice around the centre: neighbours
    share their corners and edge midpoints exactly, so they never overlap
    and leave no gaps. Cells are walked in a snake through vertical strips,
    so consecutive cells touch; a station is a run of consecutive cells and
    an area a run within it.
    """
    rng = city.rng("territory")
    size = city.size
    columns, rows = lattice_shape(size.grids)
    cells = snake_order(
        columns, rows, max(1, round(math.sqrt(size.grids / size.stations)))
    )
    cells = cells[: size.grids]
    boundaries = jittered_lattice(rng, columns, rows)
    urban = urban_cells(cells, columns, rows)
    per_station = split_evenly(size.grids, size.stations)
    start = 0
    for station, grid_count in enumerate(per_station):
        for column, row in cells[start : start + grid_count]:
            boundary = boundaries[(column, row)]
            geometry.validate_polygon(boundary)
            city.grids.append(
                GridPlan(
                    index=len(city.grids),
                    station=station,
                    urban=(column, row) in urban,
                    polygon=prepared(geometry.to_shape(boundary)),
                    boundary=boundary,
                )
            )
        start += grid_count
    cut_areas(rng, city)
    plan_household_counts(rng, city)
    name_places(rng, city)
    write_territory(city)
    return {
        "stations": len(city.stations),
        "areas": len(city.areas),
        "grids": len(city.grids),
    }


def prepared(polygon: Polygon) -> Polygon:
    """Return ``polygon`` prepared for the many point-in-polygon tests."""
    shapely.prepare(polygon)
    return polygon


def lattice_shape(cells: int) -> tuple[int, int]:
    """Return (columns, rows) of a near-square lattice of at least ``cells``.

    The number of rows is odd, so every strip of :func:`snake_order` ends
    on the row where the next one starts, next to it.
    """
    columns = math.ceil(math.sqrt(cells))
    rows = math.ceil(cells / columns)
    if rows % 2 == 0:
        rows += 1
        columns = math.ceil(cells / rows)
    return columns, rows


def snake_order(columns: int, rows: int, strip_width: int) -> list[tuple[int, int]]:
    """Return every (column, row) so that consecutive cells share an edge.

    Strips of ``strip_width`` columns are walked up, down, up …; within a
    strip, rows alternate left-to-right and right-to-left.
    """
    order = []
    for strip, left in enumerate(range(0, columns, strip_width)):
        strip_columns = list(range(left, min(left + strip_width, columns)))
        row_order = range(rows) if strip % 2 == 0 else range(rows - 1, -1, -1)
        for step, row in enumerate(row_order):
            ordered = strip_columns if step % 2 == 0 else strip_columns[::-1]
            order.extend((column, row) for column in ordered)
    return order


def jittered_lattice(
    rng: random.Random, columns: int, rows: int
) -> dict[tuple[int, int], dict]:
    """Return each cell's GeoJSON Polygon: 4 corners and 4 edge midpoints."""
    west = CENTRE[0] - columns * CELL_LON / 2
    south = CENTRE[1] - rows * CELL_LAT / 2

    def position(x: float, y: float) -> list[float]:
        return [round(west + x * CELL_LON, 6), round(south + y * CELL_LAT, 6)]

    def jitter(amplitude: float) -> float:
        return rng.uniform(-amplitude, amplitude)

    corners = {
        (c, r): (c + jitter(CORNER_JITTER), r + jitter(CORNER_JITTER))
        for r in range(rows + 1)
        for c in range(columns + 1)
    }
    # The midpoint of each edge moves across the edge only, so each edge
    # stays monotonic along its direction.
    bottoms = {}  # the horizontal edge from corner (c, r) to (c + 1, r)
    for r in range(rows + 1):
        for c in range(columns):
            (x0, y0), (x1, y1) = corners[(c, r)], corners[(c + 1, r)]
            bottoms[(c, r)] = ((x0 + x1) / 2, (y0 + y1) / 2 + jitter(MIDPOINT_JITTER))
    lefts = {}  # the vertical edge from corner (c, r) to (c, r + 1)
    for c in range(columns + 1):
        for r in range(rows):
            (x0, y0), (x1, y1) = corners[(c, r)], corners[(c, r + 1)]
            lefts[(c, r)] = ((x0 + x1) / 2 + jitter(MIDPOINT_JITTER), (y0 + y1) / 2)
    # Rounded once, so that neighbours share exactly the same numbers.
    corner = {key: position(*point) for key, point in corners.items()}
    bottom = {key: position(*point) for key, point in bottoms.items()}
    left = {key: position(*point) for key, point in lefts.items()}
    polygons = {}
    for r in range(rows):
        for c in range(columns):
            ring = [
                corner[(c, r)],
                bottom[(c, r)],
                corner[(c + 1, r)],
                left[(c + 1, r)],
                corner[(c + 1, r + 1)],
                bottom[(c, r + 1)],
                corner[(c, r + 1)],
                left[(c, r)],
            ]
            # Copies: neighbours must not share (mutable) position lists.
            ring = [list(point) for point in ring]
            ring.append(list(ring[0]))
            polygons[(c, r)] = {"type": "Polygon", "coordinates": [ring]}
    return polygons


def urban_cells(
    cells: list[tuple[int, int]], columns: int, rows: int
) -> set[tuple[int, int]]:
    """Return the URBAN_SHARE of the cells nearest the centre."""
    centre = (columns / 2, rows / 2)
    by_distance = sorted(
        cells,
        key=lambda cell: (
            (cell[0] + 0.5 - centre[0]) ** 2 + (cell[1] + 0.5 - centre[1]) ** 2,
            cell,
        ),
    )
    return set(by_distance[: round(len(cells) * URBAN_SHARE)])


def split_evenly(total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` integers differing by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if part < extra else 0) for part in range(parts)]


def cut_areas(rng: random.Random, city: City) -> None:
    """Cut each station's grids into communities and villages.

    A run starting on an urban grid is a community of 3-6 grids, otherwise
    a village of 1-3. Every station gets at least one community (its seat)
    and two villages, so it can have posts of all four kinds.
    """
    for station in range(city.size.stations):
        grids = [g for g in city.grids if g.station == station]
        areas: list[AreaPlan] = []
        position = 0
        while position < len(grids):
            urban = grids[position].urban
            count = weighted(rng, COMMUNITY_GRIDS if urban else VILLAGE_GRIDS)
            kind = Area.Kind.COMMUNITY if urban else Area.Kind.VILLAGE
            members = grids[position : position + count]
            areas.append(AreaPlan(kind, station, [g.index for g in members]))
            position += count
        force_area_kinds(city, areas)
        for area in areas:
            for grid_index in area.grids:
                city.grids[grid_index].area = len(city.areas)
            city.areas.append(area)


def force_area_kinds(city: City, areas: list[AreaPlan]) -> None:
    """Make at least three areas, one community and two villages.

    Areas are split in two (largest first) and their kinds changed, the
    most urban becoming the community and the least urban the villages.
    """
    while len(areas) < 3:
        largest = max(range(len(areas)), key=lambda i: (len(areas[i].grids), -i))
        area = areas[largest]
        half = len(area.grids) // 2
        areas[largest : largest + 1] = [
            AreaPlan(area.kind, area.station, area.grids[:half]),
            AreaPlan(area.kind, area.station, area.grids[half:]),
        ]

    def urban_share(area: AreaPlan) -> float:
        return sum(city.grids[g].urban for g in area.grids) / len(area.grids)

    def number_of(kind: str) -> int:
        return sum(area.kind == kind for area in areas)

    by_urbanity = sorted(range(len(areas)), key=lambda i: (-urban_share(areas[i]), i))
    if not number_of(Area.Kind.COMMUNITY):
        areas[by_urbanity[0]].kind = Area.Kind.COMMUNITY
    for index in reversed(by_urbanity):
        if number_of(Area.Kind.VILLAGE) >= 2:
            break
        if areas[index].kind == Area.Kind.COMMUNITY:
            if number_of(Area.Kind.COMMUNITY) == 1:
                continue
            areas[index].kind = Area.Kind.VILLAGE


def plan_household_counts(rng: random.Random, city: City) -> None:
    """Share the households among grids: urban grids hold about twice more."""
    weights = [
        (1.0 if grid.urban else 0.45) * rng.uniform(0.75, 1.25) for grid in city.grids
    ]
    # Every grid has a household; the rest go by largest remainder.
    spare = city.size.households - len(city.grids)
    total = sum(weights)
    exact = [spare * w / total for w in weights]
    counts = [1 + int(x) for x in exact]
    left = city.size.households - sum(counts)
    by_remainder = sorted(
        range(len(exact)), key=lambda i: (-(exact[i] - int(exact[i])), i)
    )
    for index in by_remainder[:left]:
        counts[index] += 1
    for grid, target in zip(city.grids, counts, strict=True):
        grid.household_target = target


def name_places(rng: random.Random, city: City) -> None:
    """Name stations, communities, villages and grids; code stations and grids."""
    station_count = city.size.stations
    city.station_names = [
        STATION_NAMES[i % len(STATION_NAMES)]
        + ("" if i < len(STATION_NAMES) else str(i // len(STATION_NAMES) + 1))
        for i in range(station_count)
    ]
    communities = [a for a in city.areas if a.kind == Area.Kind.COMMUNITY]
    villages = [a for a in city.areas if a.kind == Area.Kind.VILLAGE]
    community_names = [
        f"{head}{tail}社区" for head in COMMUNITY_HEADS for tail in COMMUNITY_TAILS
    ]
    village_names = [
        f"{prefix}{surname}{tail}村"
        for prefix in VILLAGE_PREFIXES
        for surname in VILLAGE_SURNAMES
        for tail in VILLAGE_TAILS
    ]
    for area, area_name in zip(
        communities,
        unique_names(rng, sorted(set(community_names)), len(communities)),
        strict=True,
    ):
        area.name = area_name
    for area, area_name in zip(
        villages, unique_names(rng, village_names, len(villages)), strict=True
    ):
        area.name = area_name
    numbers = [0] * station_count
    for area in city.areas:
        for number, grid_index in enumerate(area.grids, 1):
            grid = city.grids[grid_index]
            numbers[grid.station] += 1
            grid.name = f"{area.name}第{number}网格"
            grid.code = (
                f"{station_code(city, grid.station)}-{numbers[grid.station]:03d}"
            )


def station_code(city: City, station: int) -> str:
    return f"{city.code}-{station + 1:02d}"


def write_territory(city: City) -> None:
    city.bureau = Bureau.objects.create(
        code=city.code, name=f"{CITY_NAME}公安局（{city.code}）"
    )
    seats = {}
    for area in city.areas:
        if area.kind == Area.Kind.COMMUNITY:
            seats.setdefault(area.station, area.grids[0])
    city.stations = bulk_insert(
        [
            Station(
                code=station_code(city, station),
                name=f"{CITY_NAME}公安局{city.station_names[station]}派出所",
                bureau=city.bureau,
                location=point_of(city.grids[seats[station]].polygon),
            )
            for station in range(city.size.stations)
        ]
    )
    areas = bulk_insert(
        [
            Area(
                name=area.name,
                kind=area.kind,
                station=city.stations[area.station],
                boundary=json.loads(
                    shapely.to_geojson(
                        shapely.union_all([city.grids[g].polygon for g in area.grids])
                    )
                ),
            )
            for area in city.areas
        ]
    )
    for plan, area in zip(city.areas, areas, strict=True):
        plan.id = area.pk
    grids = []
    for plan in city.grids:
        min_lon, min_lat, max_lon, max_lat = plan.polygon.bounds
        grids.append(
            Grid(
                name=plan.name,
                code=plan.code,
                area_id=city.areas[plan.area].id,
                boundary=plan.boundary,
                complexity=complexity_of(plan),
                min_lon=min_lon,
                min_lat=min_lat,
                max_lon=max_lon,
                max_lat=max_lat,
            )
        )
    for plan, grid in zip(city.grids, bulk_insert(grids), strict=True):
        plan.id = grid.pk


def complexity_of(grid: GridPlan) -> int:
    """Busy urban grids are complex (3), other urban ones average, villages simple."""
    if not grid.urban:
        return 1
    return 3 if grid.household_target > 400 else 2


def point_of(polygon: Polygon) -> dict:
    """Return a GeoJSON Point surely inside ``polygon``."""
    point = polygon.representative_point()
    return {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]}


#
# Stage 2: posts
#

# Seed: a rural central office serves 4-6 villages; most other villages get
# a workstation of their own. The shares give about the Hengshan coverage
# (rural offices 25.8%, workstations 69.6% of villages).
RURAL_OFFICE_VILLAGES = (4, 5, 6)
EXTRA_RURAL_OFFICE_SHARE = 0.15
WORKSTATION_SHARE = 0.9
OPENING_HOURS = {
    Post.Kind.COMMUNITY_OFFICE: "08:30-17:30",
    Post.Kind.RURAL_OFFICE: "08:30-17:30",
    Post.Kind.WORKSTATION: "09:00-17:00",
    Post.Kind.KIOSK: "00:00-24:00",
}


def create_posts(city: City) -> dict[str, int]:
    """Give every station posts of the four kinds (SPEC §2, seed figures).

    Every community has a community office, staffed by its grids' officers.
    Villages are grouped in runs of 4-6: the first run of each station, and
    some others, get a rural central office staffed by the officers of the
    village it stands in; most other villages get a workstation staffed by
    their first grid's officer. Each station has a central kiosk.
    """
    rng = city.rng("posts")
    for station in range(city.size.stations):
        areas = [i for i, a in enumerate(city.areas) if a.station == station]
        communities = [i for i in areas if city.areas[i].kind == Area.Kind.COMMUNITY]
        villages = [i for i in areas if city.areas[i].kind == Area.Kind.VILLAGE]
        for area in communities:
            add_post(city, Post.Kind.COMMUNITY_OFFICE, area, [area], "警务室")
        plan_village_posts(rng, city, villages)
        add_post(city, Post.Kind.KIOSK, communities[0], [communities[0]], "中心警务亭")
    posts = bulk_insert(
        [
            Post(
                name=plan.name,
                kind=plan.kind,
                station=city.stations[plan.station],
                location=point_of(
                    city.grids[city.areas[plan.host_area].grids[0]].polygon
                ),
                opening_hours=OPENING_HOURS[plan.kind],
            )
            for plan in city.posts
        ]
    )
    links = []
    for plan, post in zip(city.posts, posts, strict=True):
        plan.id = post.pk
        links.extend(
            Post.serves.through(post_id=post.pk, area_id=city.areas[area].id)
            for area in plan.serves
        )
    bulk_insert(links)
    return {"posts": len(posts), "areas served": len(links)}


def add_post(
    city: City, kind: str, host: int, serves: list[int], suffix: str
) -> PostPlan:
    area = city.areas[host]
    if kind == Post.Kind.KIOSK:
        post_name = f"{city.station_names[area.station]}{suffix}"
    else:
        post_name = f"{area.name}{suffix}"
    post = PostPlan(kind, area.station, post_name, host, serves)
    if kind in (Post.Kind.COMMUNITY_OFFICE, Post.Kind.RURAL_OFFICE):
        post.staffed_from = list(area.grids)
    elif kind == Post.Kind.WORKSTATION:
        post.staffed_from = area.grids[:1]
    city.posts.append(post)
    return post


def plan_village_posts(rng: random.Random, city: City, villages: list[int]) -> None:
    covered: set[int] = set()
    position = 0
    first = True
    while position < len(villages):
        count = rng.choice(RURAL_OFFICE_VILLAGES)
        if first:
            # Leave a village for a workstation, so the station has one.
            count = min(count, len(villages) - 1)
        group = villages[position : position + count]
        # Seed: a rural central office serves 4-6 villages.
        if first or (len(group) >= 4 and rng.random() < EXTRA_RURAL_OFFICE_SHARE):
            add_post(city, Post.Kind.RURAL_OFFICE, group[0], group, "中心警务室")
            covered.update(group)
        position += count
        first = False
    uncovered = [v for v in villages if v not in covered]
    for number, village in enumerate(uncovered):
        if number == 0 or rng.random() < WORKSTATION_SHARE:
            add_post(city, Post.Kind.WORKSTATION, village, [village], "警务工作站")
