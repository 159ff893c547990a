"""The read-only collections the folded state is made of.

Sequences are persistent vectors (``pyrsistent.pvector``): appending or replacing one item makes a new
vector that shares the rest with the old one, so a transcript that grows by a delta costs O(log n), not a
copy. Keyed collections are :class:`FrozenDict`: a dict that refuses every change, so reads run at a dict's
speed and keep their order; the reducer makes a changed copy (they are small, or change rarely).
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from pyrsistent import PVector, pvector

__all__ = ["FrozenDict", "PVector", "pvector", "with_item", "without_item"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict of the folded state: read it like any dict; changing it raises ``TypeError``."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the folded state is read-only: it changes only by folding events")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


def with_item(mapping: FrozenDict[K, V], key: K, value: V) -> FrozenDict[K, V]:
    """A copy of ``mapping`` with ``key`` set (appended at the end if new, in place if not)."""
    new: FrozenDict[K, V] = FrozenDict(mapping)
    dict.__setitem__(new, key, value)
    return new


def without_item(mapping: FrozenDict[K, V], key: K) -> FrozenDict[K, V]:
    if key not in mapping:
        return mapping
    new: FrozenDict[K, V] = FrozenDict(mapping)
    dict.__delitem__(new, key)
    return new
