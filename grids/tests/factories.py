import factory

from grids.models import Area, Grid, Household, Resident
from grids.national_id import check_character
from stations.tests.factories import StationFactory

CELL = 0.01  # degrees; factory grids are squares on a lattice, never overlapping


def square(lon: float, lat: float, size: float = CELL) -> dict:
    """Return a closed GeoJSON square polygon with its south-west corner at lon, lat."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def lattice_corner(n: int) -> tuple[float, float]:
    return 100 + (n % 100) * CELL * 2, 30 + (n // 100) * CELL * 2


def valid_id_number(n: int, *, region: str = "110105", birth: str = "19900101") -> str:
    """Return a valid 18-character national ID number with sequence ``n``."""
    body = f"{region}{birth}{n % 1000:03d}"
    return body + check_character(body)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"幸福{n}社区")
    kind = Area.Kind.COMMUNITY
    station = factory.SubFactory(StationFactory)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    class Params:
        corner = factory.Sequence(lattice_corner)

    name = factory.Sequence(lambda n: f"第{n}网格")
    code = factory.Sequence(lambda n: f"G{n:05d}")
    area = factory.SubFactory(AreaFactory)
    boundary = factory.LazyAttribute(lambda g: square(*g.corner))
    population = 1200
    complexity = 2


def _centre(grid: Grid) -> dict:
    (lon, lat), _, (lon2, lat2), *_ = grid.boundary["coordinates"][0]
    return point((lon + lon2) / 2, (lat + lat2) / 2)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    address = factory.Sequence(lambda n: f"建设路{n}号")
    grid = factory.SubFactory(GridFactory)
    location = factory.LazyAttribute(lambda h: _centre(h.grid))
    member_count = 3


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"居民{n}")
    id_number = factory.Sequence(valid_id_number)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    household = factory.SubFactory(HouseholdFactory)
