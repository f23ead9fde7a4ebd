from policing.querysets import ScopedQuerySet
from stations.scoping import Role


class QuotaPolicyQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    writers = frozenset({Role.BUREAU})  # SPEC §2: the bureau holds the policy
