"""Letters to the customer (§4–§11): kinds and their required parts, templates, rendering to
DOCX and PDF, the required-parts check, and the evidence bundle.

Pure: no database here. ``ube_core.services.letters`` gathers the facts, stores the letters
and templates, and checks who may do what.
"""

from .check import missing_parts, required_parts
from .compose import Composed, accessible_format, compose, default_template
from .context import (
    Accessibility,
    DecisionFacts,
    HandoverFacts,
    IncidentFacts,
    LetterFacts,
    Organisation,
    Person,
    Recipient,
    RestrictionFacts,
    accessibility,
    build_context,
    input_defaults,
    long_date,
)
from .kinds import INPUTS, REQUIRED, SEND_CHANNELS, LetterKind, Part, Variant
from .render import TemplateProblem, clean, docx_text, pdf_pages, pdf_text

__all__ = [
    "INPUTS",
    "REQUIRED",
    "SEND_CHANNELS",
    "Accessibility",
    "Composed",
    "DecisionFacts",
    "HandoverFacts",
    "IncidentFacts",
    "LetterFacts",
    "LetterKind",
    "Organisation",
    "Part",
    "Person",
    "Recipient",
    "RestrictionFacts",
    "TemplateProblem",
    "Variant",
    "accessibility",
    "accessible_format",
    "build_context",
    "clean",
    "compose",
    "default_template",
    "docx_text",
    "input_defaults",
    "long_date",
    "missing_parts",
    "pdf_pages",
    "pdf_text",
    "required_parts",
]
