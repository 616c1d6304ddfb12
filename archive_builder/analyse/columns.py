"""Many frozen, slotted dataclass objects made at once, column by column.

A frozen dataclass's __init__ sets each field through object.__setattr__, in
Python: about 1 µs for an object of eight fields.  A rebuild's analysis makes
a few hundred thousand such objects from its stored states (shared passages,
relations), so they are made here column by column instead: each field set
through its slot for all objects in one C loop (map), a third of the cost.
For a class without __post_init__ nothing else happens in __init__, so the
objects are the same as its."""

from __future__ import annotations

from collections import deque
from dataclasses import fields
from itertools import repeat
from typing import Sequence, TypeVar

T = TypeVar("T")


def from_columns(cls: type[T], columns: Sequence[Sequence]) -> list[T]:
    """[cls(*row) for row in zip(*columns)], the columns in the order of cls's fields."""
    if hasattr(cls, "__post_init__") or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: only slotted dataclasses without __post_init__ are made by columns")
    names = [f.name for f in fields(cls)]
    if len(columns) != len(names) or len({len(column) for column in columns}) > 1:
        raise ValueError(f"{cls.__name__}: needs {len(names)} columns of one length")
    objects = list(map(object.__new__, repeat(cls, len(columns[0]) if columns else 0)))
    for name, column in zip(names, columns):
        deque(map(getattr(cls, name).__set__, objects, column), maxlen=0)
    return objects
