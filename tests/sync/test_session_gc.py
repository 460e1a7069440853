"""The cyclic collector is paused for a sync and always switched back on; the
interpreter switches threads often during a sync and as before after it."""

from __future__ import annotations

import gc
import sys

import pytest

from syncd.sync.session import SWITCH_INTERVAL, collector_paused, threads_switch_often


def test_paused_inside_and_back_on_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_nested_use_leaves_it_to_the_outermost() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_threads_switch_every_millisecond_during_a_sync_and_as_before_after_even_on_error() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), threads_switch_often():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == before


def test_a_shorter_switch_interval_set_by_the_caller_is_kept() -> None:
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL / 2)
    try:
        with threads_switch_often():
            assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL / 2)
    finally:
        sys.setswitchinterval(before)
