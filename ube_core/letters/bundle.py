"""The evidence bundle: one paginated PDF with a contents page, and the original letter files,
in one zip (for a court, the Housing Ombudsman or a complaint).

Pure: the service gathers the case's records into ``BundleData``. Every section and every
letter starts on a new page and is an entry in the contents (and in the PDF's outline); the
contents is drawn last into the pages reserved for it, so its page numbers are the pages the
entries really start on, and each page's foot says "Page N of M".
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.outline import OutlineSection

from .render import FONT, STANDARD_LOOK, Block, PdfWriter, clean

Progress = Callable[[float, str], None]

CONTENTS_SIZE = 11.0  # points, for the contents lines


@dataclass(frozen=True)
class Record:
    """One thing in a section: a heading line and its labelled fields."""

    heading: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    records: tuple[Record, ...] = ()
    intro: str = ""
    empty: str = "None recorded."


@dataclass(frozen=True)
class BundleLetter:
    number: int
    dated: date
    kind_label: str
    body: str
    stem: str  # file name without extension, e.g. 2025-02-10-restriction_notice-12
    docx: bytes | None = None
    pdf: bytes | None = None
    details: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        return f"Letter {self.number}: {self.kind_label}, {self.dated.day} {self.dated:%b %Y}"


@dataclass(frozen=True)
class BundleData:
    customer_name: str
    tenancy_ref: str
    case_ref: str
    generated_on: date
    generated_by: str
    purpose: str = ""
    sections: tuple[Section, ...] = ()
    letters: tuple[BundleLetter, ...] = ()
    organisation: str = ""


@dataclass(frozen=True)
class BundleFile:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


LETTERS_TITLE = "Letters sent"
FILES_TITLE = "Files in this bundle"


def contents_titles(data: BundleData) -> list[str]:
    """Every entry the contents will list, in order."""
    return [
        *(s.title for s in data.sections),
        LETTERS_TITLE,
        *(letter.title for letter in data.letters),
        FILES_TITLE,
    ]


def _noop(_fraction: float, _message: str) -> None:
    return None


def letter_files(data: BundleData) -> list[BundleFile]:
    files = []
    for letter in data.letters:
        if letter.docx is not None:
            files.append(BundleFile(f"letters/{letter.stem}.docx", letter.docx))
        if letter.pdf is not None:
            files.append(BundleFile(f"letters/{letter.stem}.pdf", letter.pdf))
    return files


def bundle_pdf(data: BundleData, progress: Progress = _noop) -> bytes:
    title = f"Evidence bundle – {data.customer_name} ({data.tenancy_ref})"
    look = STANDARD_LOOK
    pdf = PdfWriter(look, title=title, author=data.organisation or "UBE")
    pdf.set_auto_page_break(True, margin=20)

    # Cover.
    pdf.add_page()
    pdf.text_block("Evidence bundle", size=22, bold=True)
    pdf.gap(1.5)
    cover = [
        ("Customer", data.customer_name),
        ("Tenancy reference", data.tenancy_ref),
        ("Case", data.case_ref),
        ("Prepared for", data.purpose or "Court, the Housing Ombudsman or a complaint"),
        ("Prepared on", f"{data.generated_on.day} {data.generated_on:%B %Y}"),
        ("Prepared by", data.generated_by),
    ]
    if data.organisation:
        cover.insert(0, ("Landlord", data.organisation))
    _fields(pdf, tuple(cover))
    pdf.gap(1.5)
    pdf.text_block(
        "This bundle holds the case's chronology and records under the Unacceptable "
        "Behaviour – Tenancy Enforcement Procedure, and the full text of every letter sent. "
        "The original letter files are in the same zip file, listed with their SHA-256 "
        "fingerprints at the end of this document."
    )

    # Contents: reserved now, drawn at the end with the real page numbers.
    pdf.add_page()
    pdf.insert_toc_placeholder(
        _draw_contents, pages=_contents_pages(pdf, len(contents_titles(data)))
    )
    fresh = True  # the placeholder leaves us at the top of a new page

    def new_page() -> None:
        nonlocal fresh
        if not fresh:
            pdf.add_page()
        fresh = False

    total = max(1, len(data.sections) + len(data.letters))
    done = 0
    for section in data.sections:
        new_page()
        _section(pdf, section)
        done += 1
        progress(done / total, f"Added {section.title.lower()}")

    new_page()
    pdf.start_section(LETTERS_TITLE, level=0)
    pdf.text_block(LETTERS_TITLE, size=look.title, bold=True)
    pdf.gap()
    if not data.letters:
        pdf.text_block("No letters have been sent on this case.")
    else:
        pdf.text_block(
            "Each letter follows on its own pages, with exactly the text it was sent with."
        )
    for letter in data.letters:
        pdf.add_page()
        pdf.start_section(letter.title, level=1)
        pdf.text_block(letter.title, size=look.heading, bold=True)
        pdf.gap(0.4)
        _fields(pdf, letter.details)
        pdf.gap()
        pdf.blocks([Block("para", para) for para in _paragraphs(letter.body)])
        done += 1
        progress(done / total, f"Added {letter.title.lower()}")

    pdf.add_page()
    pdf.start_section(FILES_TITLE, level=0)
    pdf.text_block(FILES_TITLE, size=look.title, bold=True)
    pdf.gap()
    files = letter_files(data)
    if not files:
        pdf.text_block("No letter files: only this document.")
    for item in files:
        pdf.text_block(item.name, bold=True)
        pdf.text_block(f"SHA-256 {item.sha256}, {len(item.data):,} bytes", size=9)
        pdf.gap(0.4)
    return bytes(pdf.output())


def bundle_zip(data: BundleData, progress: Progress = _noop) -> bytes:
    """``bundle.pdf``, the letters' original DOCX and PDF files and a manifest, zipped."""

    def pdf_progress(fraction: float, message: str) -> None:
        progress(0.9 * fraction, message)

    document = BundleFile("bundle.pdf", bundle_pdf(data, pdf_progress))
    files = [document, *letter_files(data)]
    manifest = {
        "customer": data.customer_name,
        "tenancy_ref": data.tenancy_ref,
        "case": data.case_ref,
        "prepared_on": data.generated_on.isoformat(),
        "prepared_by": data.generated_by,
        "files": [{"name": f.name, "bytes": len(f.data), "sha256": f.sha256} for f in files],
    }
    progress(0.95, "Packing the files")
    out = io.BytesIO()
    stamp = (data.generated_on.year, data.generated_on.month, data.generated_on.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            archive.writestr(zipfile.ZipInfo(item.name, stamp), item.data)
        archive.writestr(
            zipfile.ZipInfo("manifest.json", stamp),
            json.dumps(manifest, indent=2, ensure_ascii=False),
        )
    progress(1.0, "Bundle ready")
    return out.getvalue()


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in str(clean(text)).split("\n\n") if p.strip()]


def _fields(pdf: PdfWriter, fields: tuple[tuple[str, str], ...]) -> None:
    for label, value in fields:
        pdf.text_block(f"{label}:", bold=True)
        pdf.text_block(str(value) or "—")
        pdf.gap(0.2)


def _section(pdf: PdfWriter, section: Section) -> None:
    pdf.start_section(section.title, level=0)
    pdf.text_block(section.title, size=pdf.look.title, bold=True)
    pdf.gap()
    if section.intro:
        pdf.text_block(section.intro)
        pdf.gap()
    if not section.records:
        pdf.text_block(section.empty)
        return
    for record in section.records:
        if pdf.will_page_break(pdf.line_height(pdf.look.heading) * 3):
            pdf.add_page()
        pdf.text_block(record.heading, size=pdf.look.heading, bold=True)
        _fields(pdf, record.fields)
        pdf.gap()


def _contents_pages(pdf: PdfWriter, entries: int) -> int:
    """How many pages the contents needs: its heading, then one line per entry (one line
    spare per page, so that it never runs over the pages reserved for it)."""
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    line = pdf.line_height(CONTENTS_SIZE)
    first = int((usable - pdf.line_height(pdf.look.title) - line) // line) - 1
    later = int(usable // line) - 1
    if entries <= first:
        return 1
    return 1 + math.ceil((entries - first) / later)


def _draw_contents(doc: FPDF, outline: list[OutlineSection]) -> None:
    pdf = doc if isinstance(doc, PdfWriter) else None
    assert pdf is not None
    size = CONTENTS_SIZE
    height = pdf.line_height(size)
    pdf.set_font(FONT, "B", pdf.look.title)
    pdf.cell(0, pdf.line_height(pdf.look.title), "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(height)
    for entry in outline:
        indent = 8.0 * entry.level
        pdf.set_font(FONT, "B" if entry.level == 0 else "", size)
        pdf.set_x(pdf.l_margin + indent)
        number = str(entry.page_number)
        pdf.cell(
            pdf.epw - indent - 20,
            height,
            str(clean(entry.name)),
            link=pdf.add_link(page=entry.page_number),
        )
        pdf.cell(20, height, number, align="R", new_x="LMARGIN", new_y="NEXT")
