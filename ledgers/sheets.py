"""The spreadsheet ledgers (基础台账): posts, staff, households and residents.

Each is read from and written to xlsx or csv by its resource, one module an
entity (:mod:`ledgers.posts`, :mod:`ledgers.staff`,
:mod:`ledgers.households`, :mod:`ledgers.residents`). A sheet's headers may
be Chinese or English (:data:`HEADERS`). :func:`check` runs a file as a dry
run and says per row what it would create, update or leave unchanged, with
every error's row, column and reason; :func:`apply` runs it for real in one
transaction. Both run inside the requester's scope. Export writes the same
headers, so a file round-trips. (Grids and areas come as GeoJSON:
:mod:`ledgers.map_files`.)
"""

import tablib

from ledgers import files
from ledgers.base import LedgerResource, Outcome, Progress
from ledgers.households import HouseholdResource
from ledgers.models import LedgerEntity
from ledgers.posts import PostResource
from ledgers.residents import ResidentResource
from ledgers.staff import StaffResource

RESOURCES: dict[str, type[LedgerResource]] = {
    LedgerEntity.POSTS: PostResource,
    LedgerEntity.STAFF: StaffResource,
    LedgerEntity.HOUSEHOLDS: HouseholdResource,
    LedgerEntity.RESIDENTS: ResidentResource,
}
#: entity -> {canonical (exported) header: accepted spellings}
HEADERS = {entity: resource.headers for entity, resource in RESOURCES.items()}


def read_table(content: bytes, file_name: str, entity: str) -> tablib.Dataset:
    """Read an entity's xlsx or csv file into a dataset with canonical headers."""
    resource = RESOURCES[entity]
    return files.read_table(
        content,
        file_name,
        headers=resource.headers,
        required=resource.required_columns,
    )


def check(
    content: bytes,
    file_name: str,
    entity: str,
    *,
    user,
    progress: Progress | None = None,
) -> Outcome:
    """Read a file and say per row what applying it would do; write nothing."""
    return _run(content, file_name, entity, user=user, progress=progress, dry_run=True)


def apply(
    content: bytes,
    file_name: str,
    entity: str,
    *,
    user,
    progress: Progress | None = None,
) -> Outcome:
    """Apply a file in one transaction: every row or, on any error, none."""
    return _run(content, file_name, entity, user=user, progress=progress, dry_run=False)


def _run(content, file_name, entity, *, user, progress, dry_run) -> Outcome:
    dataset = read_table(content, file_name, entity)
    resource = RESOURCES[entity](user=user, progress=progress)
    resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    return Outcome(rows=resource.outcomes)


def export(
    entity: str, file_format: str, *, user, full_phones: bool = False
) -> tuple[bytes, int]:
    """Return the entity's records in scope as an xlsx or csv file, and their count.

    National IDs are always masked: the reveal action is the only way to the
    clear number (SECURITY.md G-AD6). Phones are masked unless
    ``full_phones``, which the caller grants only with the
    ``grids.export_full_phones`` permission and logs (issue 27, item 4).
    """
    resource = RESOURCES[entity](user=user, full_phones=full_phones)
    dataset = resource.export(queryset=resource.export_queryset())
    encoded = files.encode(dataset, file_format, title=resource.sheet_title)
    return encoded, len(dataset)


def template(entity: str, file_format: str = "xlsx") -> bytes:
    """An empty ledger with its headers and one example row."""
    resource = RESOURCES[entity]
    dataset = tablib.Dataset(headers=list(resource.headers))
    dataset.append(resource.example)
    return files.encode(dataset, file_format, title=resource.sheet_title)
