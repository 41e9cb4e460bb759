"""Names the engine and the service give meaning to: no start data or task data may set them.

This is the one place that defines them. The service refuses such keys in start and task data
(422), the upload lint refuses forms that declare them and scripts or decision tables that write
them (except `outcome` and `cadre_measures`, which processes set, and a `start_case_<name>` on the element
that declares that link).
"""

from __future__ import annotations

from collections.abc import Iterable

from .helpers import HELPER_NAMES

SETTINGS = 'settings'          # the process version's settings, seeded by the service at start
LINKED_FROM = 'linked_from'    # reference of the case that started this one (set by the service)
OUTCOME = 'outcome'            # end state label, set by the process's own scripts
LINK_PREFIX = 'start_case_'    # `start_case_<name>`: a linked case the element declares
ENGINE_PREFIX = 'qingfeng_'    # engine bookkeeping
CADRE_MEASURES = 'cadre_measures'  # measures a process decided; the service records them on the cadre at the end
CADRE_RECORDS = 'cadre_records'    # the cadre records a task reads (`x-reads`), filled in by the service

# Names only the service sets; a process may read them, never write them.
SERVICE_NAMES = frozenset({SETTINGS, LINKED_FROM, CADRE_RECORDS})
# Names a process's own scripts set and no user data may: what the case ends with and what it decided.
PROCESS_NAMES = frozenset({OUTCOME, CADRE_MEASURES})
# Every name user data may not carry: the above, the process's outcome, and the expression helpers
# (a data value named `get` or `len` would shadow the function in every later expression).
RESERVED_NAMES = SERVICE_NAMES | PROCESS_NAMES | HELPER_NAMES
RESERVED_PREFIXES = (LINK_PREFIX, ENGINE_PREFIX)


def is_reserved(name: str) -> bool:
    """True for a name no start or task data may set."""
    return name in RESERVED_NAMES or any(str(name).startswith(p) for p in RESERVED_PREFIXES)


def reserved_keys(keys: Iterable[str]) -> list[str]:
    """The reserved names among `keys`, sorted."""
    return sorted(k for k in keys if is_reserved(k))


def link_name(name: str) -> str | None:
    """`follow_up` for `start_case_follow_up`, else None."""
    if name.startswith(LINK_PREFIX) and len(name) > len(LINK_PREFIX):
        return name[len(LINK_PREFIX):]
    return None
