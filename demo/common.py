# Chinese text takes full-width commas and parentheses.
"""Pieces shared by the demo loaders of disputes and cases.

Names and phone numbers of the parties, and a clock that dates the steps of
a record after its report. Every draw goes through the ``rng`` given, so a
loader with a fixed seed plans the same records on every run.
"""

import datetime
import random

from django.utils import timezone

from grids.models import Resident

SURNAMES = "李王张杨刘陈赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
MALE = "伟强磊军勇杰涛明超华建国平刚林斌波鹏辉"
FEMALE = "芳娜敏静丽艳娟霞燕玲秀英兰萍红梅"
#: given-name characters of either sex
GIVEN = MALE + FEMALE
#: How often each key-person category is drawn, relative to the others: the
#: demo county and the generated city share the mix.
KEY_PERSON_WEIGHTS = {
    Resident.KeyPersonCategory.RELEASED_PRISONER: 3,
    Resident.KeyPersonCategory.COMMUNITY_CORRECTION: 3,
    Resident.KeyPersonCategory.DRUG_USER: 2,
    Resident.KeyPersonCategory.MENTAL_DISORDER: 3,
    Resident.KeyPersonCategory.PETITIONER: 2,
    Resident.KeyPersonCategory.OTHER: 1,
}
PHONE_PREFIXES = ("133", "135", "138", "139", "150", "152", "158", "180", "187", "189")


def name(rng: random.Random, *, female: bool | None = None, surname: str = "") -> str:
    """Draw a name of one or two given characters after ``surname``.

    The given name is a man's, a woman's (``female``) or either (None); the
    surname is drawn when not given.
    """
    characters = GIVEN if female is None else FEMALE if female else MALE
    given = "".join(rng.choice(characters) for _ in range(rng.choice((1, 2, 2))))
    return (surname or rng.choice(SURNAMES)) + given


def phone(rng: random.Random) -> str:
    """Draw a mainland mobile number."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


class Clock:
    """Hand out increasing times after a start, capped just before now."""

    def __init__(self, start: datetime.datetime):
        self.now = start

    def after(self, *, hours: float) -> datetime.datetime:
        cap = timezone.now() - datetime.timedelta(minutes=1)
        self.now = max(self.now, min(self.now + datetime.timedelta(hours=hours), cap))
        return self.now
