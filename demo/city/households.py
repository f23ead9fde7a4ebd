"""Stages 4 and 5 of the city: households, then their registered residents."""

import datetime
import random
from collections.abc import Iterable, Iterator
from itertools import count

from demo.city.shared import (
    BATCH,
    CITY_NAME,
    RESIDENTS_PER_HOUSEHOLD,
    SMALL_BATCH,
    City,
    GridPlan,
    Sampler,
    random_point,
)
from demo.common import KEY_PERSON_WEIGHTS
from demo.common import name as draw_name
from demo.common import phone as draw_phone
from grids import national_id
from grids.models import Area, Grid, Household, Resident

#
# Stage 4: households
#

ROADS = (
    "金水路",
    "农业路",
    "花园路",
    "文化路",
    "经三路",
    "纬五路",
    "东风路",
    "丰产路",
    "黄河路",
    "红专路",
    "健康路",
    "南阳路",
    "人民路",
    "二七路",
    "大学路",
    "嵩山路",
    "伏牛路",
    "桐柏路",
    "中原路",
    "建设路",
    "陇海路",
    "航海路",
    "郑汴路",
    "商都路",
    "未来路",
    "紫荆山路",
    "城东路",
    "工人路",
    "淮河路",
    "政七街",
)


GROUP_NUMERALS = "一二三四五六七八九十"

#
# Stage 5: residents
#

# National ID region codes (GB/T 2260) of Zhengzhou's districts and counties,
# then of other Henan places people moved in from, as (first year, code):
# a number keeps the code in force when its holder was first registered.
HOME_REGIONS = (
    ((1983, "410102"),),  # 中原区
    ((1983, "410103"),),  # 二七区
    ((1983, "410104"),),  # 管城回族区
    ((1983, "410105"),),  # 金水区
    ((1983, "410106"),),  # 上街区
    ((1987, "410108"),),  # 邙山区, 惠济区 since 2003
    ((1983, "410122"),),  # 中牟县
    ((1983, "410124"), (1991, "410181")),  # 巩县, 巩义市
    ((1983, "410121"), (1994, "410182")),  # 荥阳县, 荥阳市
    ((1983, "410126"), (1994, "410183")),  # 密县, 新密市
    ((1983, "410123"), (1994, "410184")),  # 新郑县, 新郑市
    ((1983, "410125"), (1994, "410185")),  # 登封县, 登封市
)
OTHER_REGIONS = (
    ((1983, "410302"),),  # 洛阳市老城区
    ((1983, "410702"),),  # 新乡市红旗区
    ((1983, "410221"),),  # 杞县
    ((1983, "412901"), (1994, "411302")),  # 南阳市, 宛城区
    ((1983, "412301"), (1997, "411402")),  # 商丘市, 梁园区
    ((1983, "412701"), (2000, "411602")),  # 周口市, 川汇区
    ((1983, "412801"), (2000, "411702")),  # 驻马店市, 驿城区
)
HOME_REGION_SHARE = 0.8
# Identity cards came in 1985: older people were registered then.
FIRST_REGISTRATION_YEAR = 1985

KEY_PERSON_SHARE = 0.01  # of all residents (issue 10)
ADULT_AGE = 18


def create_households(city: City) -> dict[str, int]:
    """Write each grid's households at points inside the grid.

    Urban households live in blocks of flats: every block is a point in the
    grid, with units, floors and rooms. Village households each have their
    own house in the village's groups (村民小组).
    """
    rng = city.rng("households")
    fields = ("address", "location", "grid_id", "member_count")
    batch: list[tuple] = []
    owners: list[tuple[GridPlan, int]] = []
    written = 0

    def flush():
        nonlocal written
        ids = city.writer.insert(Household, fields, batch, return_ids=True)
        for (grid, residents), pk in zip(owners, ids, strict=True):
            grid.households.append(pk)
            grid.resident_counts.append(residents)
        written += len(batch)
        batch.clear()
        owners.clear()

    members = Sampler(RESIDENTS_PER_HOUSEHOLD)
    unregistered = Sampler({0: 85, 1: 12, 2: 3})
    for area in city.areas:
        street_names = rng.sample(ROADS, 3)
        groups = count()  # a village's groups are numbered across its grids
        for number, grid_index in enumerate(area.grids):
            grid = city.grids[grid_index]
            if area.kind == Area.Kind.COMMUNITY:
                homes = flats(rng, grid, area.name, street_names, number)
            else:
                homes = village_houses(rng, grid, area.name, groups)
            for address, location in homes:
                residents = members.draw(rng)
                grid.residents += residents
                batch.append(
                    (address, location, grid.id, residents + unregistered.draw(rng))
                )
                owners.append((grid, residents))
                if len(batch) >= BATCH:
                    flush()
    flush()
    # A grid's population is that of its registered residents.
    grids = [Grid(pk=plan.id, population=plan.residents) for plan in city.grids]
    Grid.objects.bulk_update(grids, ["population"], batch_size=SMALL_BATCH)
    return {"households": written}


def flats(
    rng: random.Random, grid: GridPlan, area: str, roads: list[str], grid_number: int
) -> Iterable[tuple[str, dict]]:
    """Yield (address, point) of the grid's flats, block by block."""
    left = grid.household_target
    block = 0
    while left > 0:
        block += 1
        road = roads[(grid_number + block) % len(roads)]
        # House numbers are spaced by grid, so two grids never share one.
        house = 100 * grid_number + 2 * block
        point = random_point(rng, grid.polygon)
        units, floors, rooms = rng.randint(1, 4), rng.randint(6, 33), rng.randint(2, 4)
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, rooms + 1):
                    if left == 0:
                        return
                    if rng.random() < 0.15:
                        continue  # empty flat
                    left -= 1
                    yield (
                        f"{CITY_NAME}{area}{road}{house}号{block}号楼"
                        f"{unit}单元{floor}{room:02d}室",
                        point,
                    )


def village_houses(
    rng: random.Random, grid: GridPlan, area: str, groups: Iterator[int]
) -> Iterable[tuple[str, dict]]:
    """Yield (address, point) of the grid's houses, group by group."""
    per_group = rng.randint(40, 90)
    for house in range(grid.household_target):
        if house % per_group == 0:
            group = next(groups)
            numeral = (
                GROUP_NUMERALS[group]
                if group < len(GROUP_NUMERALS)
                else f"第{group + 1}"
            )
        yield (
            f"{CITY_NAME}{area}{numeral}组{house % per_group + 1}号",
            random_point(rng, grid.polygon),
        )


def create_residents(city: City) -> dict[str, int]:
    """Write the households' residents, with national IDs, phones, key persons.

    A household is a head, a spouse and children. Each national ID is valid
    under GB 11643 and unique, stored exactly as :class:`Resident` stores
    one: AES-GCM ciphertext, keyed hash and mask from
    :mod:`grids.national_id`.
    """
    rng = city.rng("residents")
    fields = (
        "name",
        "id_number_encrypted",
        "id_number_hash",
        "id_number_masked",
        "phone",
        "household_id",
        "is_key_person",
        "key_person_category",
    )
    used_numbers: set[int] = set()
    categories = Sampler(KEY_PERSON_WEIGHTS)
    adults_share = 0.85  # about the share of adults drawn below
    key_person_chance = KEY_PERSON_SHARE / adults_share
    batch: list[tuple] = []
    written = key_persons = 0
    for grid in city.grids:
        for household_id, size in zip(
            grid.households, grid.resident_counts, strict=True
        ):
            for name, birth, male in family(rng, size, city.until):
                number = id_number(rng, birth, male=male, used=used_numbers)
                adult = (city.until - birth).days >= ADULT_AGE * 365.25
                category = ""
                if adult and rng.random() < key_person_chance:
                    category = categories.draw(rng)
                    key_persons += 1
                batch.append(
                    (
                        name,
                        national_id.encrypt(number),
                        national_id.blind_index(number),
                        national_id.mask(number),
                        draw_phone(rng) if adult and rng.random() < 0.9 else "",
                        household_id,
                        bool(category),
                        category,
                    )
                )
            if len(batch) >= BATCH:
                city.writer.insert(Resident, fields, batch)
                written += len(batch)
                batch.clear()
    city.writer.insert(Resident, fields, batch)
    written += len(batch)
    return {"residents": written, "key persons": key_persons}


def family(
    rng: random.Random, size: int, until: datetime.date
) -> list[tuple[str, datetime.date, bool]]:
    """Return (name, birth date, male) of a head, a spouse and children."""
    surname = draw_name(rng)[0]
    head_age = rng.randint(22, 85)
    head_male = rng.random() < 0.6
    members = [(surname, head_age, head_male)]
    if size >= 2:
        members.append(("", max(20, head_age + rng.randint(-5, 5)), not head_male))
    for _ in range(size - 2):
        members.append(
            (surname, max(0, head_age - rng.randint(22, 36)), rng.random() < 0.5)
        )
    people = []
    for family_name, age, male in members:
        born = until - datetime.timedelta(days=age * 365 + rng.randint(1, 364))
        people.append(
            (draw_name(rng, female=not male, surname=family_name), born, male)
        )
    return people


def id_number(
    rng: random.Random, birth: datetime.date, *, male: bool, used: set[int]
) -> str:
    """Return an unused national ID with its GB 11643 check character."""
    regions = HOME_REGIONS if rng.random() < HOME_REGION_SHARE else OTHER_REGIONS
    history = rng.choice(regions)
    registered = max(birth.year, FIRST_REGISTRATION_YEAR)
    region = next(
        (code for since, code in reversed(history) if since <= registered),
        history[0][1],
    )
    while True:
        # The sequence number is odd for men, even for women.
        sequence = 2 * rng.randint(0, 499) + 1 if male else 2 * rng.randint(1, 499)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        if int(body) not in used:
            used.add(int(body))
            return body + national_id.check_character(body)
