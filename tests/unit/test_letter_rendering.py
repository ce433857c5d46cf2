"""Letters without a database: every kind and variant rendered from sample cases, opened again
with python-docx and pypdf and checked for each required part; a missing part is named;
hostile text renders literally and breaks nothing; the bundle's contents page numbers."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import docx
import pytest

from ube_core import letters as lt
from ube_core.letters.bundle import BundleData, BundleLetter, Record, Section, bundle_pdf
from ube_core.letters.check import evidence, missing_parts, normalise, part_present
from ube_core.letters.compose import sample_letter, template_findings
from ube_core.letters.render import NEW_PAGE, clean, parse_blocks, render_template
from ube_core.letters.samples import hostile, samples

K, P, V = lt.LetterKind, lt.Part, lt.Variant

CASES = [
    pytest.param(kind, variant, i, id=f"{kind.value}-{variant.value}-{s.name}")
    for kind in K
    for variant in V
    for i, s in enumerate(samples(kind))
]


def composed(kind: lt.LetterKind, variant: lt.Variant = V.STANDARD, index: int = 0) -> lt.Composed:
    return sample_letter(kind, variant, index=index)


# -- what each kind must say ------------------------------------------------------------------
def test_every_step_that_writes_to_the_customer_has_a_kind() -> None:
    assert [k.value for k in K] == [
        "initial_warning",
        "formal_warning",
        "restriction_notice",
        "spoc_change",
        "breach_warning",
        "review_outcome",
        "appeal_acknowledgement",
        "appeal_outcome",
        "reconsideration_outcome",
    ]
    assert set(lt.REQUIRED) == set(K)


def test_the_issue_s_required_contents_are_in_the_table() -> None:
    notice = {r.part for r in lt.REQUIRED[K.RESTRICTION_NOTICE]}
    assert {
        P.REASONS,
        P.ARRANGEMENTS,
        P.SPOC,
        P.CONTACT_TIMES,
        P.DURATION,
        P.REVIEW_DATE,
        P.EXCLUSIONS,
        P.APPEAL,
        P.OMBUDSMAN,
    } <= notice
    assert {P.BEHAVIOUR, P.CONSEQUENCES} <= {r.part for r in lt.REQUIRED[K.FORMAL_WARNING]}
    assert P.FACT_SHEET in {r.part for r in lt.REQUIRED[K.APPEAL_OUTCOME]}
    assert P.TEMPORARY_PERIOD in {r.part for r in lt.REQUIRED[K.SPOC_CHANGE]}
    for kind in K:
        assert lt.REQUIRED[kind][0].part is P.CONTACT_US


@pytest.mark.parametrize(("kind", "variant", "index"), CASES)
def test_each_kind_has_every_required_part_in_its_docx_and_pdf(
    kind: lt.LetterKind, variant: lt.Variant, index: int
) -> None:
    letter = composed(kind, variant, index)
    parts = lt.required_parts(kind, letter.context)
    assert parts and letter.missing == ()
    docx_text = lt.docx_text(letter.docx())
    assert missing_parts(kind, letter.context, docx_text) == []
    if index == 0:  # one PDF per kind and variant keeps this quick
        assert missing_parts(kind, letter.context, lt.pdf_text(letter.pdf())) == []


@pytest.mark.parametrize("kind", list(K))
def test_removing_any_part_s_words_makes_it_missing(kind: lt.LetterKind) -> None:
    letter = composed(kind)
    for part in lt.required_parts(kind, letter.context):
        text = normalise(letter.text)
        for group in evidence(part, letter.context):
            for fact in group:
                if fact.strip():
                    text = text.replace(normalise(fact), " ")
        assert part in missing_parts(kind, letter.context, text), part


def test_parts_that_depend_on_the_case() -> None:
    with_spoc, email_only = (composed(K.RESTRICTION_NOTICE, index=i) for i in (0, 1))
    assert P.SPOC in lt.required_parts(K.RESTRICTION_NOTICE, with_spoc.context)
    assert P.SPOC not in lt.required_parts(K.RESTRICTION_NOTICE, email_only.context)
    assert "You may contact us only by email." in email_only.text
    permanent, temporary = (composed(K.SPOC_CHANGE, index=i) for i in (0, 1))
    assert P.TEMPORARY_PERIOD not in lt.required_parts(K.SPOC_CHANGE, permanent.context)
    assert "until 24 March 2025" in temporary.text and "Sam Patel will be your SPOC" in (
        temporary.text
    )
    remain, _adjust, remove = (composed(K.REVIEW_OUTCOME, index=i) for i in (0, 1, 2))
    assert P.ARRANGEMENTS in lt.required_parts(K.REVIEW_OUTCOME, remain.context)
    assert P.ARRANGEMENTS not in lt.required_parts(K.REVIEW_OUTCOME, remove.context)
    assert "You can contact us in the usual way again" in remove.text


def test_a_fact_the_case_lacks_is_a_missing_part() -> None:
    (sample, *_) = samples(K.RESTRICTION_NOTICE)
    template = lt.default_template(K.RESTRICTION_NOTICE)
    facts = sample.facts
    no_reasons = replace(facts, restriction=replace(facts.restriction, reasons="  "))
    assert lt.compose(no_reasons, template=template).missing == (P.REASONS,)
    unreachable = replace(
        facts,
        org=replace(facts.org, phone=""),
        restriction=replace(facts.restriction, spoc=replace(facts.restriction.spoc, email="")),
    )
    assert P.SPOC in lt.compose(unreachable, template=template).missing
    no_appeals = replace(facts, org=replace(facts.org, appeals_to=""))
    assert lt.compose(no_appeals, template=template).missing == (P.APPEAL,)
    no_hours = replace(facts, org=replace(facts.org, hours=""))
    assert lt.compose(no_hours, template=template).missing == (P.CONTACT_TIMES,)
    given = lt.compose(no_hours, template=template, details={"contact_times": "Tuesdays 10–12"})
    assert given.ok and "Tuesdays 10–12" in given.text
    (_, temporary) = samples(K.SPOC_CHANGE)
    no_end = lt.compose(temporary.facts, template=lt.default_template(K.SPOC_CHANGE))
    assert no_end.missing == (P.TEMPORARY_PERIOD,)


def test_dates_in_letters() -> None:
    notice = composed(K.RESTRICTION_NOTICE)
    assert "10 February 2025" in notice.text
    assert "by 24 February 2025" in notice.text  # dated 10 Feb: the appeal window is 14 days
    late = lt.compose(
        replace(samples(K.RESTRICTION_NOTICE)[0].facts, dated=date(2025, 2, 20)),
        template=lt.default_template(K.RESTRICTION_NOTICE),
    )
    assert "by 6 March 2025" in late.text
    assert late.context["appeal"]["deadline"] == "6 March 2025"


def test_whole_words_only() -> None:
    assert not part_present(
        P.REVIEW_DATE, {"restriction": {"review_date": "1 March 2025"}}, "by 11 March 2025"
    )
    assert part_present(
        P.REVIEW_DATE, {"restriction": {"review_date": "1 March 2025"}}, "by 1 March 2025."
    )


def test_shipped_templates_pass_their_own_check() -> None:
    for kind in K:
        for variant in V:
            assert template_findings(kind, variant, lt.default_template(kind, variant)) == []


def test_a_template_without_a_part_is_found_out() -> None:
    body = lt.default_template(K.FORMAL_WARNING).replace(
        "{% for line in consequences %}\n- {{ line }}\n{% endfor %}", ""
    )
    (finding,) = template_findings(K.FORMAL_WARNING, V.STANDARD, body)
    assert finding.missing == (P.CONSEQUENCES,)
    assert "What will happen if it continues" in finding.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ customer.shoe_size }}", "Unknown placeholder"),
        ("{% if %}", "Line 1"),
        ("{{ customer.__class__.__mro__ }}", "can't be used"),
        ("{{ ''.__class__.__subclasses__() }}", "can't be used"),
    ],
)
def test_template_errors_and_the_sandbox(body: str, message: str) -> None:
    with pytest.raises(lt.TemplateProblem, match=message):
        render_template(body, composed(K.FORMAL_WARNING).context)


# -- hostile text -----------------------------------------------------------------------------
NASTY_NAME = "O'Brien <b>&amp;</b> {{ customer.name }}"


@pytest.mark.parametrize("kind", list(K))
def test_hostile_text_renders_literally_and_breaks_nothing(kind: lt.LetterKind) -> None:
    sample = samples(kind)[0]
    letter = lt.compose(
        hostile(sample.facts),
        template=lt.default_template(kind),
        details=sample.details,
    )
    assert letter.ok, letter.missing
    data = letter.docx()
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert f"Dear {NASTY_NAME}," in paragraphs
    # Every block became a paragraph: nothing silently dropped.
    blocks = [b for b in letter.blocks if b.style != "break"]
    assert [b.text for b in blocks] == [p for p in paragraphs if p]
    # A value's own "# ", "- " or "---" is text, never a heading, bullet or page break.
    for paragraph in document.paragraphs:
        if paragraph.text.startswith(("# Not a heading", "## Reasons")):
            assert paragraph.style.name == "Normal"
    breaks = [b.style for b in letter.body].count("break")
    assert breaks == lt.default_template(kind).count("\n---\n")
    assert letter.text.count(NEW_PAGE) == breaks
    text = "\n".join(paragraphs)
    assert "{{ customer.name }}" in text and "49" not in text  # values are never rendered
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", text)
    assert missing_parts(kind, letter.context, text) == []
    pdf = " ".join(lt.pdf_text(letter.pdf()).split())
    assert f"Dear {NASTY_NAME}," in pdf
    assert missing_parts(kind, letter.context, pdf) == []


def test_hostile_reasons_stay_in_one_place() -> None:
    letter = lt.compose(
        hostile(samples(K.RESTRICTION_NOTICE)[0].facts),
        template=lt.default_template(K.RESTRICTION_NOTICE),
    )
    reasons = [b for b in letter.body if "## Reasons <script>" in b.text]
    assert len(reasons) == 1 and reasons[0].style == "para"
    assert "<w:t>x</w:t>" in reasons[0].text and "Zoë Łukasz Ахмед" in reasons[0].text
    assert [b.style for b in letter.body].count("break") == 0
    assert "Sam <Patel> & Co" in letter.text


def test_clean_strips_what_xml_cannot_hold() -> None:
    assert clean("a\x00b\x07c\x0bd\x0ce\x1bf\ufffeg\u202eh\r\ni\tj") == "abcdefgh\ni\tj"
    assert clean({"x": ["\x00y", ("z\x01",)]}) == {"x": ["y", ["z"]]}
    assert clean(5) == 5


def test_only_the_template_s_own_lines_are_markup() -> None:
    marked = render_template(
        "# Title\n\n{{ a }}\n\n- item {{ b }}\n\n---\n\n## Heading\n{{ c }}",
        {"a": "# not a title\n- not a bullet", "b": "\n---", "c": "x"},
    )
    blocks = parse_blocks(marked)
    assert [(b.style, b.text) for b in blocks] == [
        ("title", "Title"),
        ("para", "# not a title\n- not a bullet"),
        ("bullet", "item\n---"),
        ("break", ""),
        ("heading", "Heading"),
        ("para", "x"),
    ]


# -- accessible formats ----------------------------------------------------------------------
def test_large_print_and_easy_read_look_bigger() -> None:
    standard = composed(K.RESTRICTION_NOTICE)
    large = sample_letter(K.RESTRICTION_NOTICE, large_print=True)
    easy = sample_letter(K.RESTRICTION_NOTICE, V.EASY_READ)

    def body_size(data: bytes) -> float:
        return docx.Document(io.BytesIO(data)).styles["Normal"].font.size.pt

    assert body_size(standard.docx()) == 12
    assert body_size(large.docx()) == 16
    assert body_size(easy.docx()) == 14
    assert large.accessible_format == "large_print" and easy.accessible_format == "easy_read"
    assert len(lt.pdf_pages(large.pdf())) > len(lt.pdf_pages(standard.pdf()))
    assert "New rules for contacting us" in easy.text
    assert "Only contact Sam Patel." in easy.text  # the Easy Read wording of the arrangement


def test_recorded_needs_suggest_formats_and_notes() -> None:
    def access(**kw: str) -> lt.Accessibility:
        return lt.accessibility(lt.Recipient(name="A", tenancy_ref="T", **kw))

    assert access(communication_needs="Partially sighted: large print").large_print
    assert access(communication_needs="Learning disability, easy read").easy_read
    plain = access()
    assert not plain.large_print and not plain.easy_read and plain.staff_notes == ()
    polish = access(language="Polish", representative="Ann Advocate")
    assert polish.translation == "Polish" and polish.copy_to == "Ann Advocate"
    assert any("Translation needed" in n for n in polish.staff_notes)
    assert any("Braille" in n for n in access(communication_needs="Braille").staff_notes)
    facts = replace(
        samples(K.FORMAL_WARNING)[0].facts,
        recipient=lt.Recipient(
            name="A", tenancy_ref="T", language="Polish", representative="Ann Advocate"
        ),
    )
    letter = lt.compose(facts, template=lt.default_template(K.FORMAL_WARNING))
    assert "If you need it in Polish" in letter.text
    assert letter.text.rstrip().endswith("Copy to: Ann Advocate")


# -- the evidence bundle ---------------------------------------------------------------------
def test_bundle_contents_page_numbers_match_even_over_two_contents_pages() -> None:
    letters = tuple(
        BundleLetter(
            number=n,
            dated=date(2025, 2, n % 28 + 1),
            kind_label="Restriction notice",
            body="Dear Jordan,\n\n" + "A long paragraph. " * (60 * (n % 3)),
            stem=f"letter-{n}",
        )
        for n in range(1, 61)
    )
    steps = tuple(Record(f"Step {i}", (("What", "x " * 50),)) for i in range(60))
    data = BundleData(
        "Jordan",
        "T-1",
        "T-1/7",
        date(2025, 4, 30),
        "Cara",
        sections=(Section("Chronology", steps), Section("Incidents")),
        letters=letters,
    )
    pages = lt.pdf_pages(bundle_pdf(data))

    def listed(page: str) -> dict[str, int]:
        lines = [line.strip() for line in page.splitlines() if not line.startswith("Page ")]
        return {m[1]: int(m[2]) for line in lines if (m := re.match(r"^(.+?) (\d+)$", line))}

    first_section = listed(pages[1])["Chronology"]
    assert first_section == 4  # cover, two pages of contents (64 entries), the chronology
    entries: dict[str, int] = {}
    for page in pages[1 : first_section - 1]:
        entries.update(listed(page))
    assert len(entries) == 2 + 1 + 60 + 1
    for title, number in entries.items():
        page = " ".join(pages[number - 1].split())
        assert title in page and f"Page {number} of {len(pages)}" in page
