"""Write a letter for a sample case, to look at a template or to make the README's image.

    uv run python -m ube_core.letters restriction_notice notice.pdf [--easy-read] [--large-print]

The file's extension (.pdf or .docx) chooses the format.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .compose import sample_letter
from .kinds import LetterKind, Variant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ube_core.letters", description=__doc__)
    parser.add_argument("kind", choices=[k.value for k in LetterKind])
    parser.add_argument("out", type=Path, help="a .pdf or .docx file to write")
    parser.add_argument("--easy-read", action="store_true")
    parser.add_argument("--large-print", action="store_true")
    args = parser.parse_args(argv)
    variant = Variant.EASY_READ if args.easy_read else Variant.STANDARD
    letter = sample_letter(LetterKind(args.kind), variant, large_print=args.large_print)
    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        parser.error("the output file must end in .pdf or .docx")
    args.out.write_bytes(letter.pdf() if suffix == ".pdf" else letter.docx())
    print(f"{letter.kind.label}: {args.out} ({len(letter.text.split())} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
