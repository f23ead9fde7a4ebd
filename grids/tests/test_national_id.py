"""National ID numbers: checksum, mask, encryption and blind index."""

import base64
import datetime
import re

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

from grids import national_id
from grids.tests.factories import valid_id_number

K1 = base64.urlsafe_b64encode(b"1" * 32).decode()
K2 = base64.urlsafe_b64encode(b"2" * 32).decode()
MASK = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def with_check_digit(body: str) -> str:
    """Return ``body`` (17 digits) followed by its correct check character."""
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last char


def number_ending_in_x() -> str:
    return next(
        number for n in range(100) if (number := valid_id_number(n)).endswith("X")
    )


#
# validate
#


def test_valid_number_is_accepted():
    """A number with a correct check digit is returned unchanged."""
    number = valid_id_number(5)
    assert national_id.validate(number) == number


def test_surrounding_spaces_are_removed():
    """Spaces around the number are dropped."""
    number = valid_id_number(5)
    assert national_id.validate(f"  {number} ") == number


def test_lower_case_x_is_normalised():
    """A lower-case x check character is returned as X."""
    number = number_ending_in_x()
    assert national_id.validate(number[:-1] + "x") == number


def test_wrong_check_digit_is_rejected():
    """A number whose check digit does not match is rejected as such."""
    number = valid_id_number(5)
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    with pytest.raises(ValidationError, match="check digit of this national ID"):
        national_id.validate(wrong)


@pytest.mark.parametrize("cut", [1, 3])
def test_short_number_is_rejected(cut):
    """A number shorter than 18 characters is rejected."""
    with pytest.raises(ValidationError, match="18 characters"):
        national_id.validate(valid_id_number(5)[:-cut])


def test_long_number_is_rejected():
    """A number longer than 18 characters is rejected."""
    with pytest.raises(ValidationError, match="18 characters"):
        national_id.validate(valid_id_number(5) + "0")


@pytest.mark.parametrize(
    "value",
    ["11010519900101005A", "1101051990O1010053", "ABCDEFGHIJKLMNOPQR", "X" * 18],
)
def test_letters_are_rejected(value):
    """Letters other than a final X are rejected."""
    with pytest.raises(ValidationError, match="18 characters"):
        national_id.validate(value)


@pytest.mark.parametrize("value", [None, 110105199001010053, b"110105199001010053"])
def test_non_string_is_rejected(value):
    """Only a string can be a national ID number."""
    with pytest.raises(ValidationError):
        national_id.validate(value)


@pytest.mark.parametrize("birth", ["19901301", "19900230", "19900100", "19000000"])
def test_impossible_birth_date_is_rejected(birth):
    """A correct check digit does not save an impossible birth date."""
    number = with_check_digit(f"110105{birth}005")
    with pytest.raises(ValidationError, match="impossible birth date"):
        national_id.validate(number)


@pytest.mark.parametrize("birth", ["18791231", "00010101"])
def test_birth_before_1880_is_rejected(birth):
    """A birth year before 1880 is not plausible."""
    with pytest.raises(ValidationError, match="impossible birth date"):
        national_id.validate(with_check_digit(f"110105{birth}005"))


def test_birth_in_1880_is_accepted():
    """1 January 1880 is the earliest accepted birth date."""
    number = with_check_digit("11010518800101005")
    assert national_id.validate(number) == number


def test_birth_date_in_the_future_is_rejected():
    """A birth date after today is rejected (SPEC section 7)."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    number = with_check_digit(f"110105{tomorrow:%Y%m%d}005")
    with pytest.raises(ValidationError, match="impossible birth date"):
        national_id.validate(number)


def test_birth_today_is_accepted():
    """A newborn registered today has a valid number."""
    number = with_check_digit(f"110105{timezone.localdate():%Y%m%d}005")
    assert national_id.validate(number) == number


@pytest.mark.parametrize("region", ["530302", "111000", "000000"])
def test_region_code_is_not_checked(region):
    """Region codes are not looked up: abolished and new codes stay valid."""
    number = with_check_digit(f"{region}19851224005")
    assert national_id.validate(number) == number


#
# mask
#


@pytest.mark.parametrize("number", [valid_id_number(5), number_ending_in_x()])
def test_mask_hides_the_birth_date(number):
    """The mask keeps the region and the last four characters only."""
    masked = national_id.mask(number)
    assert MASK.match(masked)
    assert masked[:6] == number[:6]
    assert masked[-4:] == number[-4:]
    assert number[6:14] not in masked


#
# encrypt / decrypt
#


def test_encrypt_decrypt_round_trip():
    """Decrypting the ciphertext gives back the number."""
    number = valid_id_number(5)
    token = national_id.encrypt(number)
    assert number not in token
    assert national_id.decrypt(token) == number


def test_two_encryptions_differ():
    """Each encryption uses a fresh nonce, so equal numbers do not look equal."""
    number = valid_id_number(5)
    assert national_id.encrypt(number) != national_id.encrypt(number)


def test_decrypt_without_the_key_is_improperly_configured(settings):
    """Decrypting with the key gone from settings fails loudly."""
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    token = national_id.encrypt(valid_id_number(5))
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    with pytest.raises(ImproperlyConfigured, match="key id"):
        national_id.decrypt(token)


def test_no_keys_is_improperly_configured(settings):
    """An empty key list is a configuration error, not a silent no-op."""
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="empty"):
        national_id.encrypt(valid_id_number(5))


def test_short_key_is_improperly_configured(settings):
    """A key that is not 32 bytes is refused."""
    settings.FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(b"k" * 16).decode()]
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        national_id.encrypt(valid_id_number(5))


def test_key_rotation(settings):
    """After rotation old ciphertext still decrypts and new one uses the new key."""
    number = valid_id_number(5)
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    old = national_id.encrypt(number)

    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    new = national_id.encrypt(number)

    assert national_id.decrypt(old) == number
    assert national_id.decrypt(new) == number
    assert national_id.key_id_of(new) != national_id.key_id_of(old)
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    assert national_id.decrypt(new) == number


#
# blind_index
#


def test_blind_index_is_deterministic():
    """The same number always gives the same index; another number another."""
    number = valid_id_number(5)
    assert national_id.blind_index(number) == national_id.blind_index(number)
    assert national_id.blind_index(number) != national_id.blind_index(
        valid_id_number(6)
    )
    assert number not in national_id.blind_index(number)


def test_blind_index_depends_on_hash_key(settings):
    """Changing FIELD_HASH_KEY changes the index."""
    number = valid_id_number(5)
    settings.FIELD_HASH_KEY = "first-key"
    first = national_id.blind_index(number)
    settings.FIELD_HASH_KEY = "second-key"
    assert national_id.blind_index(number) != first


#
# Property: agreement with stdnum's checksum and calendar
#

DIGITS = "0123456789"
# Half random digits, half plausible bodies (years around the accepted range,
# months and days in and out of the calendar), so that both answers occur.
PLAUSIBLE_BODIES = st.builds(
    lambda region, year, month, day, sequence: (
        f"{region}{year:04d}{month:02d}{day:02d}{sequence:03d}"
    ),
    st.sampled_from(["110105", "530302", "640324", "410105", "111000", "000000"]),
    st.integers(1870, 2099),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 999),
)
BODIES = st.text(DIGITS, min_size=17, max_size=17) | PLAUSIBLE_BODIES


def expected_acceptance(number: str) -> bool:
    """Return whether ``number`` should pass: stdnum's checksum and calendar,
    a birth year from 1880, no birth in the future; the region is not checked.
    """
    if ric.calc_check_digit(number) != number[-1]:
        return False
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        return False
    return birth.year >= 1880 and birth <= timezone.localdate()


def stdnum_accepts(number: str) -> bool:
    """Return stdnum's full answer (region included).

    stdnum 2.2 raises KeyError for a region naming a province but no county
    (e.g. 111000); count that as a refusal.
    """
    try:
        return ric.is_valid(number)
    except KeyError:
        return False


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(BODIES)
def test_validate_agrees_with_stdnum(body):
    """validate accepts body + check digit iff stdnum's checks and the birth-date
    range agree; an accepted number's mask has 18 characters and <= 10 digits.
    """
    number = with_check_digit(body)
    assert national_id.check_character(body) == number[-1]
    try:
        normalised = national_id.validate(number)
    except ValidationError:
        accepted = False
    else:
        accepted = True
        assert normalised == number
        masked = national_id.mask(normalised)
        assert len(masked) == national_id.MASK_LENGTH == 18
        assert sum(c.isdigit() for c in masked) <= 10
        assert MASK.match(masked)
    assert accepted == expected_acceptance(number)
    if stdnum_accepts(number) and expected_acceptance(number):
        assert accepted  # stdnum's stricter region check never beats ours


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(BODIES, st.sampled_from("0123456789X"))
def test_wrong_check_character_is_always_rejected(body, check):
    """Any check character but the right one is rejected."""
    number = body + check
    if check == ric.calc_check_digit(number):
        return
    with pytest.raises(ValidationError, match="check digit"):
        national_id.validate(number)


# Valid numbers only: any region, a birth date in the accepted range (not
# today, which a run across midnight could move), any sequence.
VALID_NUMBERS = st.builds(
    lambda region, birth, sequence: with_check_digit(
        f"{region}{birth:%Y%m%d}{sequence:03d}"
    ),
    st.text(DIGITS, min_size=6, max_size=6),
    st.dates(
        datetime.date(national_id.FIRST_BIRTH_YEAR, 1, 1),
        timezone.localdate() - datetime.timedelta(days=1),
    ),
    st.integers(0, 999),
)
# Characters that look like a number's own: other scripts' digits,
# full-width digits and X, superscripts, separators, spaces.
LOOKALIKES = list("0123456789Xx \t-١٣１９Ｘ²³\u3000")
ONE_CHARACTER_CHANGED = st.builds(
    lambda number, index, character: number[:index] + character + number[index + 1 :],
    VALID_NUMBERS,
    st.integers(0, 17),
    st.sampled_from(LOOKALIKES),
)
PADDED = st.builds(
    lambda number, before, after: before + number + after,
    VALID_NUMBERS,
    st.text(" \t\u3000", max_size=2),
    st.text(" \t\u3000", max_size=2),
)
ANY_TEXT = st.text(st.sampled_from(LOOKALIKES) | st.characters(), max_size=20)


def stdnum_format_and_checksum(value: str) -> bool:
    """Return whether stdnum finds 17 ASCII digits and the right check character
    in ``value``, read the way validate reads it (spaces around, any case)."""
    number = value.strip().upper()
    return (
        len(number) == 18
        and isdigits(number[:17])
        and number[17] in "0123456789X"
        and ric.calc_check_digit(number) == number[17]
    )


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(VALID_NUMBERS | ONE_CHARACTER_CHANGED | PADDED | ANY_TEXT)
def test_validate_accepts_exactly_the_valid_numbers(value):
    """Over any text, validate raises nothing but ValidationError and accepts
    exactly stdnum's valid numbers (checksum and calendar) born 1880..today.
    """
    try:
        normalised = national_id.validate(value)
    except ValidationError:
        accepted = False
    else:
        accepted = True
        assert normalised == value.strip().upper()
    assert accepted == (
        stdnum_format_and_checksum(value) and expected_acceptance(value.strip().upper())
    )


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(VALID_NUMBERS)
def test_mask_of_any_valid_number_reveals_at_most_ten_digits(number):
    masked = national_id.mask(national_id.validate(number))
    assert len(masked) == national_id.MASK_LENGTH == 18
    assert sum(character.isdigit() for character in masked) <= 10
    assert MASK.match(masked)


def test_clear_number_is_in_no_table_of_the_database(world, client_for):
    """Written through the API, changed, looked up: no table holds the number.

    Every table is read, the audit events of the PostgreSQL triggers
    included, and every value compared as text (JSON, bytes, numbers).
    """
    number = valid_id_number(902, region="110105", birth="19790101")
    other = valid_id_number(903, region="110105", birth="19790101")
    client = client_for(world.users["officer_a"])
    created = client.post(
        "/api/v1/residents/",
        {
            "household": world.households["A"].pk,
            "name": "王五",
            "id_number": number,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    resident = f"/api/v1/residents/{created.json()['id']}/"
    assert client.patch(resident, {"id_number": other}).status_code == 200
    assert client.patch(resident, {"id_number": number}).status_code == 200
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(value).decode("latin-1")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                    for value in row
                )
                for clear in (number, other):
                    assert clear[:17] not in text, table
