"""From template text to a letter: Jinja2, then blocks, then DOCX (python-docx) and PDF (fpdf2).

Hostile text is guarded three ways (STACK-NOTES §6):

- ``clean`` strips what XML cannot hold (control characters, lone surrogates, U+FFFE/FFFF)
  and bidirectional overrides from every value before it reaches a template; python-docx
  would refuse such text and docxtpl silently corrupts the document around it.
- No XML is ever templated: Jinja2 renders plain text and python-docx writes it into runs,
  escaping ``<``, ``&`` and quotes itself, so the docxtpl failure mode (content silently
  dropped when ``autoescape`` is off) cannot arise. Templates are sandboxed and values are
  inserted once, never rendered again, so ``{{ … }}`` typed into a name stays text.
- Every value is wrapped in two private-use marks while the body is laid out, so a value's
  own text (a line starting ``#`` or ``-`` in the reasons) is never read as a heading, a
  bullet or a page break; only the template's own lines are.

Template syntax: ``# Title``, ``## Heading``, ``- bullet``, ``---`` (a new page), blank
lines between paragraphs; line breaks inside a paragraph are kept.
"""

from __future__ import annotations

import copy
import io
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import docx
import jinja2
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from fontTools import ttLib  # type: ignore[import-untyped]
from fpdf import FPDF
from jinja2.sandbox import SandboxedEnvironment
from pypdf import PdfReader

from ube_core.errors import InvalidInput

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
MAX_TEMPLATE = 30_000

# XML 1.0 cannot hold these; bidi overrides can disguise text. OPEN/CLOSE are ours.
OPEN, CLOSE = "\ue000", "\ue001"
_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\ue000\ue001]"
)


def clean(value: Any) -> Any:
    """``value`` with XML-illegal and disguising characters removed, recursively."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, Mapping):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


# -- Jinja2 ----------------------------------------------------------------------------------
def _finalize(value: Any) -> str:
    if value is None:
        return ""
    return OPEN + str(clean(str(value))) + CLOSE


_ENV = SandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain text out; python-docx and fpdf2 escape for their formats
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_finalize,
)


class TemplateProblem(InvalidInput):
    """The template text cannot be used: a syntax error or an unknown placeholder."""

    def __init__(self, message: str) -> None:
        super().__init__("template", message)


def render_template(template: str, context: Mapping[str, Any]) -> str:
    """The template filled in; values carry OPEN/CLOSE marks for ``parse_blocks``."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateProblem(f"The template is too long (at most {MAX_TEMPLATE} characters).")
    template = clean(template)
    try:
        compiled = _ENV.from_string(template)
        return compiled.render(clean(dict(context)))
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"Line {error.lineno}: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise TemplateProblem(f"Unknown placeholder: {error.message}") from None
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"The template can't be used: {error}") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as error:
        raise TemplateProblem(f"The template can't be used: {error}") from None


# -- blocks ----------------------------------------------------------------------------------
Style = Literal["letterhead", "address", "title", "heading", "para", "bullet", "break"]


@dataclass(frozen=True)
class Block:
    style: Style
    text: str = ""


def _marked_lines(marked: str) -> list[tuple[str, bool]]:
    """Lines of ``marked``, each with whether it may be read as markup (it starts as the
    template's own text, not inside or at the start of a value)."""
    lines: list[tuple[str, bool]] = []
    depth = 0
    start_depth = 0
    buf: list[str] = []
    for ch in marked:
        if ch == "\n":
            lines.append(("".join(buf), start_depth == 0))
            buf = []
            start_depth = depth
            continue
        if ch == OPEN:
            depth += 1
        elif ch == CLOSE:
            depth = max(0, depth - 1)
        buf.append(ch)
    lines.append(("".join(buf), start_depth == 0))
    out = []
    for raw, own in lines:
        stripped = raw.lstrip(" \t")
        markup = own and not stripped.startswith(OPEN)
        out.append((raw.replace(OPEN, "").replace(CLOSE, ""), markup))
    return out


def parse_blocks(marked: str) -> list[Block]:
    """Template output (or typed text, which has no marks) to blocks."""
    blocks: list[Block] = []
    para: list[str] = []
    bullet: list[str] | None = None

    def flush() -> None:
        nonlocal bullet
        if bullet is not None:
            blocks.append(Block("bullet", "\n".join(bullet).strip()))
            bullet = None
        if para:
            text = "\n".join(line.rstrip() for line in para).strip("\n")
            if text.strip():
                blocks.append(Block("para", text))
            para.clear()

    for text, markup in _marked_lines(marked):
        line = text.strip()
        if not line:
            flush()
            continue
        if markup:
            if line.startswith("## "):
                flush()
                blocks.append(Block("heading", line[3:].strip()))
                continue
            if line.startswith("# "):
                flush()
                blocks.append(Block("title", line[2:].strip()))
                continue
            if line == "---":
                flush()
                blocks.append(Block("break"))
                continue
            if line.startswith(("- ", "* ")):
                flush()
                bullet = [line[2:].strip()]
                continue
        if bullet is not None:
            bullet.append(line)
        else:
            para.append(text.strip())
    flush()
    return [b for b in blocks if b.style == "break" or b.text]


NEW_PAGE = "[New page]"


def plain_text(blocks: Iterable[Block]) -> str:
    """The letter as the customer reads it, without layout: what is stored and checked."""
    parts: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if block.style == "break":
            text = NEW_PAGE
        elif block.style == "bullet":
            text = "• " + block.text.replace("\n", "\n  ")
        else:
            text = block.text
        sep = "\n" if previous is not None and previous.style == block.style == "bullet" else "\n\n"
        parts.append((sep if parts else "") + text)
        previous = block
    return "".join(parts)


def editable_text(blocks: Iterable[Block]) -> str:
    """Blocks back to the template syntax, for a person to edit before issuing."""
    prefix = {"title": "# ", "heading": "## ", "bullet": "- "}
    out: list[str] = []
    for block in blocks:
        if block.style == "break":
            out.append("---")
        else:
            out.append(prefix.get(block.style, "") + block.text)
    return "\n\n".join(out)


# -- how big ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Look:
    """Type sizes in points and line spacing; large print follows RNIB's 16 pt minimum."""

    body: float
    heading: float
    title: float
    spacing: float


STANDARD_LOOK = Look(12, 13.5, 16, 1.3)
EASY_READ_LOOK = Look(14, 16, 19, 1.5)
LARGE_PRINT_LOOK = Look(16, 18, 22, 1.5)


def look_for(*, large_print: bool, easy_read: bool) -> Look:
    if large_print:
        return LARGE_PRINT_LOOK
    return EASY_READ_LOOK if easy_read else STANDARD_LOOK


# -- DOCX ------------------------------------------------------------------------------------
def _plain_font(style: Any, size: float, *, bold: bool = False) -> None:
    style.font.name = "Arial"
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    complex_size = rpr.find(qn("w:szCs"))
    if complex_size is None:  # it follows w:sz in the schema's order
        complex_size = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(complex_size)
    complex_size.set(qn("w:val"), str(round(size * 2)))  # right-to-left scripts too
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Arial")


def _field(paragraph: Any, code: str) -> None:
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _lines(paragraph: Any, text: str, *, bold: bool = False) -> None:
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold or None
        if i:
            run._r.addprevious(_break())


def _break() -> Any:
    br = OxmlElement("w:r")
    br.append(OxmlElement("w:br"))
    return br


def to_docx(blocks: Iterable[Block], look: Look, *, title: str, author: str) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    styles = document.styles
    normal = styles["Normal"]
    _plain_font(normal, look.body)
    normal.paragraph_format.line_spacing = look.spacing
    normal.paragraph_format.space_after = Pt(look.body * 0.7)
    _plain_font(styles["Title"], look.title, bold=True)
    _plain_font(styles["Heading 1"], look.title, bold=True)
    _plain_font(styles["Heading 2"], look.heading, bold=True)
    _plain_font(styles["List Bullet"], look.body)
    for block in blocks:
        if block.style == "break":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif block.style == "title":
            _lines(document.add_heading(level=1), block.text)
        elif block.style == "heading":
            _lines(document.add_heading(level=2), block.text)
        elif block.style == "bullet":
            _lines(document.add_paragraph(style="List Bullet"), block.text)
        elif block.style == "letterhead":
            _lines(document.add_paragraph(), block.text, bold=True)
        else:
            _lines(document.add_paragraph(), block.text)
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    props = document.core_properties
    props.title, props.author, props.language = clean(title), clean(author), "en-GB"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph of a DOCX, in order (python-docx), one per line."""
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


# -- PDF -------------------------------------------------------------------------------------
FOOTER = re.compile(r"^Page \d+ of \d+$", re.MULTILINE)


FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_FONT_LOCK = threading.Lock()
_FONT_CACHE: dict[str, Any] = {}


def _fonts() -> dict[str, Any]:
    """DejaVu Sans regular and bold, parsed once per process (about 0.2 s each) and copied
    into each new PDF (milliseconds), exactly as ``FPDF.add_font`` would have made them."""
    with _FONT_LOCK:
        if not _FONT_CACHE:
            missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).exists()]
            if missing:
                raise RuntimeError(
                    f"Letters need the DejaVu fonts in {FONT_DIR} (Debian: fonts-dejavu-core)."
                )
            loader = FPDF()
            for style, name in FONT_FILES.items():
                loader.add_font(FONT, style, str(FONT_DIR / name))
                _FONT_CACHE[style] = loader.fonts[f"{FONT.lower()}{style}"]
        return dict(_FONT_CACHE)


class PdfWriter(FPDF):
    """A4 with DejaVu Sans (any Unicode text DejaVu covers), "Page N of M" at the foot."""

    def __init__(self, look: Look, *, title: str, author: str) -> None:
        super().__init__(format="A4")
        for style, font in _fonts().items():
            mine = copy.deepcopy(font)
            # The parsed font file is shared by copies and subset in place when a PDF is
            # written: each PDF gets its own (opened lazily, so this is quick).
            mine.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True)
            mine.i = len(self.fonts) + 1
            self.fonts[f"{FONT.lower()}{style}"] = mine
        self.look = look
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(True, margin=20)
        self.set_title(clean(title))
        self.set_author(clean(author))
        self.set_lang("en-GB")
        self.set_creator("UBE")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 9 if self.look.body <= 12 else 12)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    def line_height(self, size: float) -> float:
        return size * 0.3528 * self.look.spacing

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in lines no wider than ``width`` mm at the current font: words kept
        whole where they fit, breaks in ``text`` kept. (fpdf2's own ``multi_cell`` measures
        every character again and again: seconds for a long narrative.)"""
        widths: dict[str, float] = {}

        def measure(word: str) -> float:
            if word not in widths:
                widths[word] = self.get_string_width(word)
            return widths[word]

        space = measure(" ")
        lines: list[str] = []
        for raw in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in raw.split(" "):
                w = measure(word)
                while w > width:  # a word longer than the line: break it
                    if line:
                        lines.append(" ".join(line))
                        line, used = [], 0.0
                    cut = len(word)
                    while cut > 1 and measure(word[:cut]) > width:
                        cut = max(1, cut * 3 // 4) if measure(word[: cut // 2]) > width else cut - 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = measure(word)
                extra = w + (space if line else 0.0)
                if line and used + extra > width:
                    lines.append(" ".join(line))
                    line, used = [word], w
                else:
                    line.append(word)
                    used += extra
            lines.append(" ".join(line))
        return lines

    def text_block(
        self, text: str, *, size: float | None = None, bold: bool = False, indent: float = 0
    ) -> None:
        size = size or self.look.body
        self.set_font(FONT, "B" if bold else "", size)
        height = self.line_height(size)
        for line in self.wrap(str(clean(text)), self.epw - indent - 0.5):
            if self.will_page_break(height):
                self.add_page()
            self.set_x(self.l_margin + indent)
            self.cell(self.epw - indent, height, line, new_x="LMARGIN", new_y="NEXT")

    def gap(self, factor: float = 0.6) -> None:
        self.ln(self.look.body * 0.3528 * factor * 1.6)

    def bullet(self, text: str) -> None:
        size = self.look.body
        self.set_font(FONT, "", size)
        indent = size * 0.3528 * 1.6
        height = self.line_height(size)
        if self.will_page_break(height):
            self.add_page()
        y = self.get_y()
        self.cell(indent, height, "•")
        self.set_xy(self.l_margin, y)
        self.text_block(text, size=size, indent=indent)

    def blocks(self, blocks: Iterable[Block]) -> None:
        previous: Block | None = None
        for block in blocks:
            if block.style == "break":
                self.add_page()
                previous = block
                continue
            if previous is not None and previous.style != "break":
                bullets = previous.style == block.style == "bullet"
                self.gap(0.25 if bullets else 0.6)
            if block.style in ("title", "heading") and self.will_page_break(
                self.line_height(self.look.heading) * 3
            ):
                self.add_page()
            if block.style == "title":
                self.text_block(block.text, size=self.look.title, bold=True)
            elif block.style == "heading":
                self.text_block(block.text, size=self.look.heading, bold=True)
            elif block.style == "bullet":
                self.bullet(block.text)
            elif block.style == "letterhead":
                self.text_block(block.text, size=self.look.heading, bold=True)
            else:
                self.text_block(block.text)
            previous = block


def to_pdf(blocks: Iterable[Block], look: Look, *, title: str, author: str) -> bytes:
    pdf = PdfWriter(look, title=title, author=author)
    pdf.add_page()
    pdf.blocks(blocks)
    return bytes(pdf.output())


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page (pypdf), page footers included."""
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def pdf_text(data: bytes) -> str:
    """All the text of a PDF without the "Page N of M" footers."""
    return "\n".join(FOOTER.sub("", page) for page in pdf_pages(data))
