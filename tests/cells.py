"""Cells of a downloaded table for property tests: numbers, booleans, empty cells, text and
times, as the organiser's files hold them."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st


def cells(alphabet: str) -> st.SearchStrategy[object]:
    """Any cell; its text from `alphabet`, which holds the characters a writer must treat."""
    return st.one_of(
        st.integers(-5, 5),
        st.booleans(),
        st.none(),
        st.text(alphabet=alphabet, max_size=4),
        st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    )
