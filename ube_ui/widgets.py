"""Widgets shared by the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from ube_core.errors import DomainError, InvalidInput, StepRefused

from . import runtime

T = TypeVar("T")


def show_error(error: DomainError) -> None:
    """A refused action in plain English: every reason, never a trace."""
    if isinstance(error, StepRefused):
        st.error(f"{error.action.label} can't be recorded yet:")
        for message in error.messages:
            st.markdown(f"- {message}")
    elif isinstance(error, InvalidInput):
        st.error(error.message)
    else:
        st.error(str(error))


def attempt(write: Callable[[], T], success: str) -> T | None:
    """Run a service write; show its error or the success message; clear cached reads."""
    try:
        result = write()
    except DomainError as error:
        show_error(error)
        return None
    runtime.clear_reads()
    st.success(success)
    return result
