"""The function checker's plain-data encoding (pure): what crosses, exactly, and what cannot."""

from __future__ import annotations

import collections
import marshal
import math
from typing import Any

import pytest

from showdown.tasks.function_checker import MAX_DEPTH, NotPlainData, decode, encode


def cross(value: Any) -> Any:
    return decode(marshal.dumps(encode(value)))


@pytest.mark.parametrize("value", [
    None, True, False, 0, 1, -(10**40), 1.0, -0.0, math.inf, -math.inf, 3 + 4j, "", "a\udc80",
    b"\x00\xff", [], (), {}, set(), frozenset({(1, 2)}), (1, [2, (3.5,)]), {1: "a", (1, 2): [3]},
    [True, 1, 1.0], {"k": {1, 2}},
])
def test_plain_values_cross_with_their_exact_types(value: Any) -> None:
    back = cross(value)
    assert back == value and type(back) is type(value)
    assert repr(back) == repr(value)  # -0.0 stays -0.0, True stays True, tuples stay tuples


def test_nan_crosses() -> None:
    assert math.isnan(cross(math.nan))


def test_subclasses_cross_as_plain_values_without_their_overrides() -> None:
    class Yes(int):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = int.__hash__

    back = cross(Yes(5))
    assert type(back) is int and back == 5 and back != 6
    point = collections.namedtuple("point", "x y")
    assert cross(point(1, 2)) == (1, 2) and type(cross(point(1, 2))) is tuple


@pytest.mark.parametrize("value", [object(), (x for x in ()), print, type, [1, object()]])
def test_anything_else_cannot_cross(value: Any) -> None:
    with pytest.raises(NotPlainData):
        encode(value)


def test_depth_is_capped_both_ways() -> None:
    deep: Any = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(NotPlainData):
        encode(deep)
    with pytest.raises(NotPlainData):
        decode(marshal.dumps(deep))


def test_what_marshal_could_carry_besides_plain_data_is_refused() -> None:
    with pytest.raises(NotPlainData):
        decode(marshal.dumps(compile("1", "x", "eval")))
    with pytest.raises(NotPlainData):
        decode(b"\xff\x00garbage")
