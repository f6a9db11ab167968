"""Make the book's Chinese web font: Noto Sans CJK SC cut down to the
characters the book's sources use.

A reader whose machine has no CJK font would otherwise see empty boxes in
the glossary's Chinese column. The whole font is about 16 MB; the subset
holds only the glyphs the book needs and ships with the book
(``static/fonts/course-cjk.woff2``), so nothing is fetched from elsewhere.

Run it again after adding Chinese text to the book (a test fails until
then)::

    apt-get install fonts-noto-cjk     # once, as root (Debian/Ubuntu)
    .venv/bin/python book/_ext/make_cjk_font.py

The font is under the SIL Open Font License 1.1, which travels with it
(``static/fonts/OFL-noto-cjk.txt``, written by this script from the Debian
package's copyright file).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FONT_OUT = HERE / "static" / "fonts" / "course-cjk.woff2"
LICENSE_OUT = HERE / "static" / "fonts" / "OFL-noto-cjk.txt"

#: Where Debian's fonts-noto-cjk puts the collection, and which font of the
#: collection is the Simplified Chinese one.
NOTO_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SC_NAME = "Noto Sans CJK SC"

#: Code points the web font is for (its CSS ``unicode-range``): CJK
#: punctuation, ideographs (with extension A) and full-width forms. Latin
#: text, digits and the dagger stay in the book's own font.
CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xFF00, 0xFFEF))


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in CJK_RANGES)


def book_sources(root: Path = ROOT) -> list[Path]:
    """Every text file the book is built from (chapters, appendix, API
    pages, table of contents and configuration)."""
    files = sorted((root / "book").rglob("*.md"))
    files += [root / "_toc.yml", root / "_config.yml"]
    return [f for f in files if f.exists() and "_build" not in f.parts]


def cjk_characters(root: Path = ROOT) -> dict[str, list[str]]:
    """CJK character -> the source files (relative paths) that use it."""
    found: dict[str, list[str]] = {}
    for path in book_sources(root):
        text = path.read_text(encoding="utf-8")
        for char in sorted({c for c in text if is_cjk(c)}):
            found.setdefault(char, []).append(
                path.relative_to(root).as_posix())
    return found


def _sc_font_number(ttc: Path) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(ttc), lazy=True)
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == SC_NAME:
            return number
    raise ValueError(f"make_cjk_font: {ttc} has no font named {SC_NAME!r}")


def _license_text(copyright_file: Path, notice: str) -> str:
    """The font's copyright ``notice`` and the OFL 1.1 paragraph of a Debian
    copyright file, unwrapped."""
    text = copyright_file.read_text(encoding="utf-8")
    match = re.search(r"^License: SIL-1\.1\n((?: .*\n?)+)", text, re.M)
    if match is None:
        raise ValueError(f"make_cjk_font: no SIL-1.1 license text in "
                         f"{copyright_file}")
    lines = [line[1:] for line in match.group(1).splitlines()]
    body = "\n".join("" if line == "." else line for line in lines)
    return (f"{SC_NAME}: {notice}\n"
            "Subset for this book by book/_ext/make_cjk_font.py.\n\n"
            + body.strip() + "\n")


def make_font(font: Path = NOTO_TTC, out: Path = FONT_OUT,
              root: Path = ROOT) -> tuple[int, int]:
    """Write the WOFF2 subset; return (number of characters, bytes)."""
    return write_subset(font, cjk_characters(root), out)


def write_subset(font: Path, chars, out: Path) -> tuple[int, int]:
    """Write the glyphs of ``chars`` from ``font`` to ``out`` as WOFF2;
    return (number of characters, bytes)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted(chars)
    number = _sc_font_number(font) if font.suffix.lower() == ".ttc" else -1
    ttfont = TTFont(str(font), fontNumber=number, recalcTimestamp=False,
                    lazy=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chars))
    subsetter.subset(ttfont)
    out.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(ttfont, str(out), options)
    return len(chars), out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--font", type=Path, default=NOTO_TTC,
                        help="Noto Sans CJK (.ttc collection or SC .otf)")
    parser.add_argument("--copyright", type=Path, default=NOTO_COPYRIGHT,
                        help="Debian copyright file holding the OFL text")
    args = parser.parse_args(argv)
    if not args.font.exists():
        print(f"make_cjk_font: 'font' must be an existing Noto Sans CJK "
              f"file; got {args.font}, which is missing. Install it with "
              "`apt-get install fonts-noto-cjk`, or pass --font.",
              file=sys.stderr)
        return 2
    count, size = make_font(args.font)
    if args.copyright.exists():
        from fontTools.ttLib import TTFont

        notice = TTFont(str(FONT_OUT))["name"].getDebugName(0)
        LICENSE_OUT.write_text(_license_text(args.copyright, notice),
                               encoding="utf-8")
    print(f"{FONT_OUT.relative_to(ROOT)}: {count} characters, "
          f"{size / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
