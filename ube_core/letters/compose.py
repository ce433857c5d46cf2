"""A whole letter: letterhead, the template's body (or a person's edited text), the notes every
letter carries, the required-parts check, and its DOCX and PDF files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from .check import missing_parts
from .context import Accessibility, LetterFacts, accessibility, build_context, letter_notes
from .kinds import LetterKind, Part, Variant
from .render import (
    Block,
    Look,
    TemplateProblem,
    clean,
    editable_text,
    look_for,
    parse_blocks,
    plain_text,
    render_template,
    to_docx,
    to_pdf,
)
from .samples import samples

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_EDITED = 30_000


def template_file(kind: LetterKind, variant: Variant) -> Path:
    suffix = ".easy_read" if variant is Variant.EASY_READ else ""
    return TEMPLATES / f"{kind.value}{suffix}.txt"


@cache
def default_template(kind: LetterKind, variant: Variant = Variant.STANDARD) -> str:
    """The template UBE ships for ``kind`` (used until an admin saves a version)."""
    return template_file(kind, variant).read_text(encoding="utf-8")


def accessible_format(*, large_print: bool, easy_read: bool) -> str:
    return ",".join(
        name for name, on in (("large_print", large_print), ("easy_read", easy_read)) if on
    )


@dataclass(frozen=True)
class Composed:
    """A letter ready to check, show, store and send."""

    kind: LetterKind
    variant: Variant
    large_print: bool
    context: dict[str, Any]
    header: tuple[Block, ...]
    body: tuple[Block, ...]
    footer: tuple[Block, ...]
    access: Accessibility
    missing: tuple[Part, ...] = field(default_factory=tuple)

    @property
    def blocks(self) -> tuple[Block, ...]:
        return self.header + self.body + self.footer

    @property
    def text(self) -> str:
        """The exact text of the letter, as stored when it is issued."""
        return plain_text(self.blocks)

    @property
    def editable(self) -> str:
        """The body in template syntax, for a person to edit before issuing."""
        return editable_text(self.body)

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def look(self) -> Look:
        return look_for(large_print=self.large_print, easy_read=self.variant is Variant.EASY_READ)

    @property
    def accessible_format(self) -> str:
        return accessible_format(
            large_print=self.large_print, easy_read=self.variant is Variant.EASY_READ
        )

    @property
    def title(self) -> str:
        return f"{self.kind.label} – {self.context['customer']['name']}"

    @property
    def author(self) -> str:
        return str(self.context["org"]["name"] or "UBE")

    def docx(self) -> bytes:
        return to_docx(self.blocks, self.look, title=self.title, author=self.author)

    def pdf(self) -> bytes:
        return to_pdf(self.blocks, self.look, title=self.title, author=self.author)


def header_blocks(ctx: Mapping[str, Any]) -> tuple[Block, ...]:
    org, customer, letter = ctx["org"], ctx["customer"], ctx["letter"]
    contact = [
        line
        for line in (
            org["address"],
            f"Telephone: {org['phone']}" if org["phone"] else "",
            f"Email: {org['email']}" if org["email"] else "",
        )
        if line
    ]
    blocks = [
        Block("letterhead", org["name"]),
        Block("address", "\n".join(contact)),
        Block("address", "\n".join(x for x in (customer["name"], customer["address"]) if x)),
        Block("para", letter["date"]),
        Block("para", f"Our reference: {letter['reference']}"),
    ]
    return tuple(b for b in blocks if b.text.strip())


def compose(
    facts: LetterFacts,
    *,
    template: str,
    variant: Variant = Variant.STANDARD,
    large_print: bool = False,
    details: Mapping[str, str] | None = None,
    edited: str | None = None,
) -> Composed:
    """The letter for ``facts`` from ``template`` (or from ``edited``, a person's own text of
    the body), checked for the kind's required parts."""
    ctx = build_context(facts, variant, details)
    if edited is not None:
        if len(edited) > MAX_EDITED:
            raise TemplateProblem(f"The letter is too long (at most {MAX_EDITED} characters).")
        body = tuple(parse_blocks(str(clean(edited))))
    else:
        body = tuple(parse_blocks(render_template(template, ctx)))
    access = accessibility(facts.recipient)
    composed = Composed(
        kind=facts.kind,
        variant=variant,
        large_print=large_print,
        context=ctx,
        header=header_blocks(ctx),
        body=body,
        footer=tuple(Block("para", line) for line in letter_notes(facts, access)),
        access=access,
    )
    missing = tuple(missing_parts(facts.kind, ctx, composed.text))
    return replace(composed, missing=missing)


@dataclass(frozen=True)
class TemplateFinding:
    """Why a template can't be saved: an error, or parts missing for one sample case."""

    sample: str
    missing: tuple[Part, ...] = ()
    error: str = ""

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        parts = "; ".join(part.label for part in self.missing)
        return f"With a sample case ({self.sample}) the letter is missing: {parts}"


def template_findings(kind: LetterKind, variant: Variant, body: str) -> list[TemplateFinding]:
    """Render ``body`` for every sample case of ``kind``; what stops it being used."""
    findings: list[TemplateFinding] = []
    for sample in samples(kind):
        try:
            composed = compose(sample.facts, template=body, variant=variant, details=sample.details)
        except TemplateProblem as problem:
            return [TemplateFinding(sample.name, error=problem.message)]
        if composed.missing:
            findings.append(TemplateFinding(sample.name, composed.missing))
    return findings


def sample_letter(
    kind: LetterKind,
    variant: Variant = Variant.STANDARD,
    *,
    body: str | None = None,
    large_print: bool = False,
    index: int = 0,
) -> Composed:
    """``kind`` written for a sample case, from ``body`` or the built-in template."""
    sample = samples(kind)[index]
    return compose(
        sample.facts,
        template=default_template(kind, variant) if body is None else body,
        variant=variant,
        large_print=large_print,
        details=sample.details,
    )
