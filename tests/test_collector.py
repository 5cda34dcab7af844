"""The collector pause around large drafts and files gives the collector back as it found it."""

from __future__ import annotations

import gc

import pytest

from facilitation.core.collector import collector_paused


def test_a_pause_turns_collection_off_then_on_again() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_gives_collection_back_when_the_work_fails() -> None:
    @collector_paused()
    def failing() -> None:
        assert not gc.isenabled()
        raise ValueError("bad draft")

    with pytest.raises(ValueError, match="bad draft"):
        failing()
    assert gc.isenabled()


def test_a_pause_leaves_collection_off_when_someone_else_turned_it_off() -> None:
    gc.disable()
    try:
        with collector_paused(), collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
