"""The demo county 青山县: organisation, territory, staff and residents.

Everything is generated from a fixed seed and written by natural key, so a
second run finds every row again and leaves the row counts unchanged.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from demo.assessments import load_metrics
from demo.cases import load_cases
from demo.common import KEY_PERSON_WEIGHTS
from demo.disputes import load_disputes
from demo.visits import load_field_work
from grids import national_id
from grids.models import Area, Grid, Household, Resident
from policing.checks import DEMO_PASSWORD
from stations.models import Assignment, Bureau, Person, Post, Station

SEED = 20261123
START = datetime.date(2026, 1, 1)
# History: who held a grid before the current postings began.
HISTORY_START = datetime.date(2025, 1, 1)
HISTORY_END = datetime.date(2025, 12, 31)
FORMER_WORKER_END = datetime.date(2025, 9, 30)
OPENING_HOURS = {
    Post.Kind.COMMUNITY_OFFICE: "08:30-17:30",
    Post.Kind.RURAL_OFFICE: "08:30-17:30",
    Post.Kind.WORKSTATION: "09:00-17:00",
    Post.Kind.KIOSK: "00:00-24:00",
}

Box = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

#
# The county
#

BUREAU_NAME = "青山县公安局"
BUREAU_CODE = "530321"


@dataclass(frozen=True)
class AreaSpec:
    """A community or village, its number of grids, and the post it hosts."""

    name: str
    grids: int
    post: str = ""  # Post.Kind located in the area, if any


@dataclass(frozen=True)
class StationSpec:
    """A station, its territory and its areas (laid out west to east)."""

    code: str
    name: str
    town: str
    area_kind: str
    box: Box
    areas: tuple[AreaSpec, ...]
    streets: tuple[str, ...] = ()


COMMUNITY = Area.Kind.COMMUNITY
VILLAGE = Area.Kind.VILLAGE
RURAL_OFFICE = Post.Kind.RURAL_OFFICE
WORKSTATION = Post.Kind.WORKSTATION

# Urban stations: every community has a community office, and the station a
# kiosk. Rural stations: one central office serves all villages (seed: 4-6),
# and some of the other villages have a workstation.
STATIONS = (
    StationSpec(
        code="01",
        name="城关派出所",
        town="城关镇",
        area_kind=COMMUNITY,
        box=(103.80, 25.50, 103.85, 25.55),
        areas=(
            AreaSpec("幸福社区", grids=3),
            AreaSpec("文昌社区", grids=2),
            AreaSpec("龙泉社区", grids=3),
            AreaSpec("南关社区", grids=2),
        ),
        streets=("建设路", "人民路", "文化路", "解放路", "中山路", "民族路", "龙泉路"),
    ),
    StationSpec(
        code="02",
        name="西城派出所",
        town="西城街道",
        area_kind=COMMUNITY,
        box=(103.75, 25.50, 103.80, 25.55),
        areas=(
            AreaSpec("西苑社区", grids=2),
            AreaSpec("白塔社区", grids=3),
            AreaSpec("翠湖社区", grids=2),
        ),
        streets=("西苑路", "白塔路", "翠湖路", "沙河路", "环城西路", "学府路"),
    ),
    StationSpec(
        code="03",
        name="南海子派出所",
        town="南海子镇",
        area_kind=VILLAGE,
        box=(103.75, 25.45, 103.82, 25.50),
        areas=(
            AreaSpec("南海子村", grids=3, post=RURAL_OFFICE),
            AreaSpec("小营村", grids=2, post=WORKSTATION),
            AreaSpec("大坝村", grids=2),
            AreaSpec("黄泥村", grids=2, post=WORKSTATION),
            AreaSpec("石头寨村", grids=2, post=WORKSTATION),
        ),
    ),
    StationSpec(
        code="04",
        name="三宝派出所",
        town="三宝镇",
        area_kind=VILLAGE,
        box=(103.82, 25.45, 103.90, 25.50),
        areas=(
            AreaSpec("三宝村", grids=2, post=RURAL_OFFICE),
            AreaSpec("红桥村", grids=3, post=WORKSTATION),
            AreaSpec("新庄村", grids=2, post=WORKSTATION),
            AreaSpec("团山村", grids=2),
        ),
    ),
)

#
# Names, numbers and places
#

SURNAMES = (
    "李李李王王王张张张杨杨杨刘刘陈陈赵赵周周"
    "吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁沈姚卢姜崔钟谭陆范金石廖夏付方白邹孟熊秦邱尹段雷龙史陶保普"
)
MALE_CHARACTERS = (
    "伟强磊军勇杰涛明超华建国平刚林斌波鹏辉宇浩俊峰志文成"
    "东海龙飞鑫昊睿晨轩博航凯兴云德福贵荣正"
)
FEMALE_CHARACTERS = (
    "芳娜敏静丽艳娟霞燕玲秀英兰萍红梅琳婷雪慧倩颖洁琴莉欣悦怡佳蕾玉凤珍桂彩月梦"
)
PHONE_PREFIXES = (
    *(f"13{digit}" for digit in range(10)),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("180", "181", "182", "183", "186", "187", "188", "189"),
)
GROUP_NUMERALS = "一二三四五六七八"

# National ID region codes (GB/T 2260) as (code since 1997, code before 1997):
# Qujing became a prefecture-level city in 1997 and its counties were renumbered.
HOME_REGION = ("530321", "532223")
OTHER_REGIONS = (("530322", "532228"), ("530324", "532226"), ("530326", "532233"))
CODE_CHANGE_YEAR = 1997

KEY_PERSON_SHARE = 0.03
# The weekly quota asks for 20 distinct households (SPEC §3): a grid needs
# more than that on record, so that someone well over target has households
# left to visit. Real grids hold hundreds; the demo records a sample.
HOUSEHOLDS_PER_GRID = (36, 48)


def person_name(rng: random.Random, *, male: bool, surname: str = "") -> str:
    """Return a Chinese name: a surname and one or two given characters."""
    characters = MALE_CHARACTERS if male else FEMALE_CHARACTERS
    given_length = 1 if rng.random() < 0.3 else 2
    given = "".join(rng.choice(characters) for _ in range(given_length))
    return (surname or rng.choice(SURNAMES)) + given


def unique_name(rng: random.Random, used: set[str], *, male: bool) -> str:
    """Return a name not in ``used``, and add it."""
    while (name := person_name(rng, male=male)) in used:
        pass
    used.add(name)
    return name


def phone_number(rng: random.Random) -> str:
    """Return an 11-digit mainland mobile number."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def badge_number(rng: random.Random, used: set[str]) -> str:
    """Return an unused 6-digit badge number, and record it."""
    while (number := str(rng.randint(100000, 999999))) in used:
        pass
    used.add(number)
    return number


def id_number(
    rng: random.Random, birth: datetime.date, *, male: bool, used: set[str]
) -> str:
    """Return an unused national ID number with a GB 11643 check digit.

    The region code is the one in force in the birth year, as on real cards.
    """
    home_or_other = HOME_REGION if rng.random() < 0.85 else rng.choice(OTHER_REGIONS)
    region = home_or_other[0] if birth.year >= CODE_CHANGE_YEAR else home_or_other[1]
    while True:
        # The sequence is odd for men and even for women.
        sequence = 2 * rng.randint(0, 499) + 1 if male else 2 * rng.randint(1, 499)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        number = body + national_id.check_character(body)
        if number not in used:
            used.add(number)
            return number


def birth_date(rng: random.Random, year: int) -> datetime.date:
    """Return a random day of ``year``, clipped to the 1940-2010 range."""
    year = min(max(year, 1940), 2010)
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


#
# Geometry (GeoJSON, WGS84, longitude first)
#


def edges(start: float, stop: float, parts: int) -> list[float]:
    """Return ``parts + 1`` evenly spaced coordinates, rounded to 1e-6 degree.

    Neighbours are cut from the same list, so shared edges match exactly.
    """
    return [round(start + (stop - start) * i / parts, 6) for i in range(parts + 1)]


def columns(box: Box, parts: int) -> list[Box]:
    """Split a box into ``parts`` columns, west to east."""
    min_lon, min_lat, max_lon, max_lat = box
    xs = edges(min_lon, max_lon, parts)
    return [(xs[i], min_lat, xs[i + 1], max_lat) for i in range(parts)]


def rows(box: Box, parts: int) -> list[Box]:
    """Split a box into ``parts`` rows, north to south."""
    min_lon, min_lat, max_lon, max_lat = box
    ys = edges(max_lat, min_lat, parts)
    return [(min_lon, ys[i + 1], max_lon, ys[i]) for i in range(parts)]


def rectangle(box: Box) -> dict:
    """Return the box as a closed, counter-clockwise GeoJSON Polygon."""
    min_lon, min_lat, max_lon, max_lat = box
    ring = [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def point_at(box: Box, x: float, y: float) -> dict:
    """Return the GeoJSON Point at fractions ``x`` (east) and ``y`` (north)."""
    min_lon, min_lat, max_lon, max_lat = box
    lon = round(min_lon + (max_lon - min_lon) * x, 6)
    lat = round(min_lat + (max_lat - min_lat) * y, 6)
    return {"type": "Point", "coordinates": [lon, lat]}


def point_inside(rng: random.Random, box: Box) -> dict:
    """Return a random point strictly inside the box, off its edges."""
    return point_at(box, rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95))


#
# Households and residents
#


@dataclass
class ResidentPlan:
    """A resident to write, with the clear ID number (encrypted on write)."""

    name: str
    id_number: str
    phone: str
    key_person_category: str = ""


@dataclass
class HouseholdPlan:
    """A household to write, keyed on grid and address."""

    grid: Grid
    address: str
    location: dict
    member_count: int
    residents: list[ResidentPlan] = field(default_factory=list)


def plan_residents(rng: random.Random, used_ids: set[str]) -> list[ResidentPlan]:
    """Return 1-4 residents: a head, a spouse and their children."""
    count = rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 2))[0]
    family_name = rng.choice(SURNAMES)
    head_year = rng.randint(1945, 1990)
    head_male = rng.random() < 0.65
    members = [(family_name, head_year, head_male)]
    if count >= 2:
        members.append(("", head_year + rng.randint(-4, 4), not head_male))
    for _ in range(count - 2):
        # Children are born 22-34 years after the head, and by 2010 at the latest.
        latest = min(head_year + 34, 2010)
        year = rng.randint(min(head_year + 22, latest), latest)
        members.append((family_name, year, rng.random() < 0.5))
    plans = []
    for surname, year, male in members:
        born = birth_date(rng, year)
        adult = born.year <= 2008
        category = ""
        if adult and rng.random() < KEY_PERSON_SHARE:
            categories, weights = zip(*KEY_PERSON_WEIGHTS.items(), strict=True)
            category = rng.choices(categories, weights=weights)[0]
        plans.append(
            ResidentPlan(
                name=person_name(rng, male=male, surname=surname),
                id_number=id_number(rng, born, male=male, used=used_ids),
                phone=phone_number(rng) if adult and rng.random() < 0.9 else "",
                key_person_category=category,
            )
        )
    return plans


def address(
    rng: random.Random, spec: StationSpec, area: str, streets: list[str]
) -> str:
    """Return a standard address in the style of the area's kind."""
    if spec.area_kind == COMMUNITY:
        street = rng.choice(streets)
        floor, room = rng.randint(1, 7), rng.randint(1, 4)
        return (
            f"{spec.town}{area}{street}{rng.randint(1, 160)}号"
            f"{rng.randint(1, 4)}单元{floor}{room:02d}室"
        )
    group = GROUP_NUMERALS[rng.randrange(len(GROUP_NUMERALS))]
    return f"{spec.town}{area}{group}组{rng.randint(1, 120)}号"


#
# The command
#


def load_county() -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Load the whole demo county in one transaction.

    Return the demo logins (username, role) and the number of records made
    of each kind of field work, dispute, case and figure.
    """
    with transaction.atomic():
        logins = DemoLoader().load()
        field_work = load_field_work(seed=SEED)
        disputes = load_disputes(seed=SEED)
        cases = load_cases(seed=SEED)
        figures = load_metrics()
    return logins, field_work | disputes | cases | figures


class DemoLoader:
    """Write the demo county; each ``load_*`` step upserts by natural key.

    All random draws happen in the same order whatever the database holds, so
    every run produces the same values.
    """

    def __init__(self):
        self.rng = random.Random(SEED)
        self.staff_names: set[str] = set()
        self.badges: set[str] = set()
        self.id_numbers: set[str] = set()
        self.addresses: set[str] = set()
        self.households: list[HouseholdPlan] = []
        #: (spec, area name, grid, box, streets) of each grid, in load order
        self.places: list[tuple[StationSpec, str, Grid, Box, list[str]]] = []

    def load(self) -> list[tuple[str, str]]:
        """Load everything; return the demo logins as (username, role)."""
        self.bureau, _ = Bureau.objects.update_or_create(
            code=BUREAU_CODE, defaults={"name": BUREAU_NAME}
        )
        first_grid_officer = first_chief = None
        for spec in STATIONS:
            grid_officer, chief = self.load_station(spec)
            first_grid_officer = first_grid_officer or grid_officer
            first_chief = first_chief or chief
        bureau_staff = [
            self.load_person(None, Person.Kind.OFFICER, male=male)
            for male in (True, False)
        ]
        self.plan_more_households()
        self.save_households()
        return self.load_logins(
            officer=first_grid_officer, chief=first_chief, bureau=bureau_staff[0]
        )

    #
    # Organisation and territory
    #

    def load_station(self, spec: StationSpec) -> tuple[Person, Person]:
        """Load one station; return its first grid's officer and its chief."""
        rng = self.rng
        station, _ = Station.objects.update_or_create(
            code=f"{BUREAU_CODE}-{spec.code}",
            defaults={
                "name": spec.name,
                "bureau": self.bureau,
                "location": point_at(spec.box, 0.37, 0.58),
            },
        )
        chief = self.load_person(station, Person.Kind.OFFICER, is_chief=True)
        grid_officers: dict[str, list[Person]] = {}
        areas: list[tuple[Area, Box, AreaSpec]] = []
        grids: list[Grid] = []
        for area_spec, area_box in zip(
            spec.areas, columns(spec.box, len(spec.areas)), strict=True
        ):
            area, _ = Area.objects.update_or_create(
                station=station,
                name=area_spec.name,
                defaults={"kind": spec.area_kind, "boundary": rectangle(area_box)},
            )
            areas.append((area, area_box, area_spec))
            streets = rng.sample(spec.streets, 3) if spec.streets else []
            grid_officers[area.name] = []
            for number, grid_box in enumerate(rows(area_box, area_spec.grids), 1):
                grid = self.load_grid(
                    spec,
                    area,
                    grid_box,
                    code=f"{station.code}-{len(grids) + 1:02d}",
                    name=f"{area.name}第{number}网格",
                )
                grids.append(grid)
                grid_officers[area.name].append(self.load_grid_staff(station, grid))
                self.plan_households(spec, area.name, grid, grid_box, streets)
        self.load_posts(station, spec, areas, grid_officers)
        first_area = grid_officers[spec.areas[0].name]
        self.load_history(station, grids[0], previous_officer=first_area[1])
        return first_area[0], chief

    def load_grid(
        self, spec: StationSpec, area: Area, box: Box, *, code: str, name: str
    ) -> Grid:
        """Load one grid; its bounding-box fields are set by ``Grid.save``."""
        urban = spec.area_kind == COMMUNITY
        population = (
            self.rng.randint(1800, 4200) if urban else self.rng.randint(600, 1800)
        )
        complexity = self.rng.choice((2, 3, 3) if urban else (1, 1, 2))
        grid, _ = Grid.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "area": area,
                "boundary": rectangle(box),
                "population": population,
                "complexity": complexity,
            },
        )
        return grid

    def load_posts(
        self,
        station: Station,
        spec: StationSpec,
        areas: list[tuple[Area, Box, AreaSpec]],
        grid_officers: dict[str, list[Person]],
    ) -> None:
        """Load the posts; staff each with officers of the grids around it."""
        posts: list[tuple[Post, list[Person]]] = []
        all_areas = [area for area, _, _ in areas]
        for area, box, area_spec in areas:
            officers = grid_officers[area.name]
            if spec.area_kind == COMMUNITY:
                kind, name, serves = Post.Kind.COMMUNITY_OFFICE, "社区警务室", [area]
                staff = officers[:1]
            elif area_spec.post == RURAL_OFFICE:
                kind, name, serves = RURAL_OFFICE, "农村中心警务室", all_areas
                staff = officers
            elif area_spec.post == WORKSTATION:
                kind, name, serves = WORKSTATION, "警务工作站", [area]
                staff = officers[:1]
            else:
                continue
            post = self.load_post(
                station, kind, area.name + name, point_at(box, 0.45, 0.42), serves
            )
            posts.append((post, staff))
        if spec.area_kind == COMMUNITY:
            # The kiosk is staffed by a patrol officer of its own.
            area, box, _ = areas[len(areas) // 2]
            kiosk = self.load_post(
                station,
                Post.Kind.KIOSK,
                spec.town.removesuffix("镇").removesuffix("街道") + "中心警务亭",
                point_at(box, 0.52, 0.58),
                [area],
            )
            posts.append((kiosk, [self.load_person(station, Person.Kind.OFFICER)]))
        for post, staff in posts:
            for person in staff:
                self.load_assignment(
                    person, post=post, role=Assignment.Role.RESPONSIBLE
                )
        # A mediator (调解员) helps out at the station's first post.
        mediator = self.load_person(station, Person.Kind.MEDIATOR)
        self.load_assignment(mediator, post=posts[0][0], role=Assignment.Role.ASSISTANT)

    def load_post(
        self, station: Station, kind: str, name: str, location: dict, serves: list[Area]
    ) -> Post:
        """Load a post and the areas it serves."""
        post, _ = Post.objects.update_or_create(
            station=station,
            name=name,
            defaults={
                "kind": kind,
                "location": location,
                "opening_hours": OPENING_HOURS[kind],
            },
        )
        post.serves.set(serves)
        return post

    #
    # Staff
    #

    def load_person(
        self, station: Station | None, kind: str, *, is_chief: bool = False, male=None
    ) -> Person:
        """Load a member of staff with a generated name, badge and phone."""
        rng = self.rng
        if male is None:
            male = rng.random() < (0.8 if kind == Person.Kind.OFFICER else 0.5)
        name = unique_name(rng, self.staff_names, male=male)
        badged = kind in (Person.Kind.OFFICER, Person.Kind.AUXILIARY)
        person, _ = Person.objects.update_or_create(
            station=station,
            bureau=self.bureau,
            name=name,
            defaults={
                "kind": kind,
                "is_chief": is_chief,
                "badge_number": badge_number(rng, self.badges) if badged else "",
                "phone": phone_number(rng),
            },
        )
        return person

    def load_grid_staff(self, station: Station, grid: Grid) -> Person:
        """Post a responsible officer and ~4 helpers; return the officer.

        Target staffing (seed): 1 responsible officer + ~4 grid workers.
        """
        officer = self.load_person(station, Person.Kind.OFFICER)
        self.load_assignment(officer, grid=grid, role=Assignment.Role.RESPONSIBLE)
        helpers = self.rng.choices((3, 4, 5), weights=(1, 4, 1))[0]
        for number in range(helpers):
            kind = Person.Kind.AUXILIARY if number == 0 else Person.Kind.GRID_WORKER
            helper = self.load_person(station, kind)
            self.load_assignment(helper, grid=grid, role=Assignment.Role.ASSISTANT)
        return officer

    def load_history(
        self, station: Station, grid: Grid, *, previous_officer: Person
    ) -> None:
        """Record ended postings on ``grid``.

        ``previous_officer`` was responsible for it last year, and a grid
        worker who has since left helped there until the autumn.
        """
        self.load_assignment(
            previous_officer,
            grid=grid,
            role=Assignment.Role.RESPONSIBLE,
            start=HISTORY_START,
            end=HISTORY_END,
        )
        former = self.load_person(station, Person.Kind.GRID_WORKER)
        self.load_assignment(
            former,
            grid=grid,
            role=Assignment.Role.ASSISTANT,
            start=HISTORY_START,
            end=FORMER_WORKER_END,
        )

    def load_assignment(
        self,
        person: Person,
        *,
        role: str,
        grid: Grid | None = None,
        post: Post | None = None,
        start: datetime.date = START,
        end: datetime.date | None = None,
    ) -> Assignment:
        """Load an assignment, keyed on person, grid or post, and start."""
        assignment, _ = Assignment.objects.update_or_create(
            person=person,
            grid=grid,
            post=post,
            start=start,
            defaults={"role": role, "end": end},
        )
        return assignment

    def load_logins(
        self, *, officer: Person, chief: Person, bureau: Person
    ) -> list[tuple[str, str]]:
        """Create or reset the demo logins and link them to their staff."""
        User = get_user_model()
        logins = [
            ("officer", f"grid officer {officer.name}", officer),
            ("chief", f"station chief {chief.name}", chief),
            ("bureau", f"bureau staff {bureau.name}", bureau),
            ("admin", "superuser", None),
        ]
        for username, _, person in logins:
            superuser = person is None
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    # Chiefs and bureau staff manage their scope in the admin.
                    "is_staff": username != "officer",
                    "is_superuser": superuser,
                    "is_active": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if person is not None:
                Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
                person.user = user
                person.save(update_fields=["user"])
        return [(username, role) for username, role, _ in logins]

    #
    # Households and residents
    #

    def plan_households(
        self, spec: StationSpec, area: str, grid: Grid, box: Box, streets: list[str]
    ) -> None:
        """Draw 15-25 households with their residents for one grid."""
        self.places.append((spec, area, grid, box, streets))
        for _ in range(self.rng.randint(15, 25)):
            self.plan_household(self.rng, spec, area, grid, box, streets)

    def plan_more_households(self) -> None:
        """Bring every grid to HOUSEHOLDS_PER_GRID households.

        Drawn after everything else from a generator of their own, so the
        first households, the staff and the logins stay as they were.
        """
        rng = random.Random(f"{SEED}/households")
        planned = Counter(plan.grid.pk for plan in self.households)
        for spec, area, grid, box, streets in self.places:
            wanted = rng.randint(*HOUSEHOLDS_PER_GRID)
            for _ in range(wanted - planned[grid.pk]):
                self.plan_household(rng, spec, area, grid, box, streets)

    def plan_household(
        self,
        rng: random.Random,
        spec: StationSpec,
        area: str,
        grid: Grid,
        box: Box,
        streets: list[str],
    ) -> None:
        while (text := address(rng, spec, area, streets)) in self.addresses:
            pass
        self.addresses.add(text)
        residents = plan_residents(rng, self.id_numbers)
        members = min(len(residents) + rng.choice((0, 0, 0, 1, 2)), 6)
        self.households.append(
            HouseholdPlan(grid, text, point_inside(rng, box), members, residents)
        )

    def save_households(self) -> None:
        """Write the planned households and residents in bulk.

        Existing rows are found by natural key and updated only when they
        differ; a resident's ID number is encrypted only when the row is new,
        since the ciphertext takes a fresh nonce each time.
        """
        in_bureau = {"grid__area__station__bureau": self.bureau}
        existing = {
            (h.grid_id, h.address): h for h in Household.objects.filter(**in_bureau)
        }
        new, changed = [], []
        for plan in self.households:
            household = existing.get((plan.grid.pk, plan.address))
            if household is None:
                new.append(
                    Household(
                        grid=plan.grid,
                        address=plan.address,
                        location=plan.location,
                        member_count=plan.member_count,
                    )
                )
            elif (household.location, household.member_count) != (
                plan.location,
                plan.member_count,
            ):
                household.location = plan.location
                household.member_count = plan.member_count
                changed.append(household)
        Household.objects.bulk_create(new)
        Household.objects.bulk_update(changed, ["location", "member_count"])
        households = {
            (h.grid_id, h.address): h for h in Household.objects.filter(**in_bureau)
        }
        self.save_residents(households)

    def save_residents(self, households: dict[tuple[int, str], Household]) -> None:
        """Write the planned residents, found again by blind index."""
        residents = {
            r.id_number_hash: r
            for r in Resident.objects.filter(
                household__grid__area__station__bureau=self.bureau
            )
        }
        fields = ["name", "phone", "household", "is_key_person", "key_person_category"]
        # Compare ``household_id``, not ``household``, to avoid a query per row.
        new, changed = [], []
        for plan in self.households:
            household = households[(plan.grid.pk, plan.address)]
            for person in plan.residents:
                values = {
                    "name": person.name,
                    "phone": person.phone,
                    "household_id": household.pk,
                    "is_key_person": bool(person.key_person_category),
                    "key_person_category": person.key_person_category,
                }
                resident = residents.get(national_id.blind_index(person.id_number))
                if resident is None:
                    resident = Resident(**values)
                    resident.id_number = person.id_number
                    new.append(resident)
                elif any(
                    getattr(resident, name) != value for name, value in values.items()
                ):
                    for name, value in values.items():
                        setattr(resident, name, value)
                    changed.append(resident)
        Resident.objects.bulk_create(new)
        Resident.objects.bulk_update(changed, fields)
