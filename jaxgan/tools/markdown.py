"""Writing generated Markdown into documents between markers, so no number is typed by hand."""

from __future__ import annotations

import re

from absl import flags
from etils import epath


def replace_block(path: str | epath.Path, marker: str, text: str) -> None:
    """Replaces the text between `<!-- marker -->` and `<!-- /marker -->` in `path` with `text`.

    Raises:
      ValueError: `path` has no such block.
    """
    path = epath.Path(path)
    begin, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    doc = path.read_text()
    if begin not in doc or end not in doc:
        raise ValueError(f"{path} has no {begin} ... {end} block to replace; add those two lines where the table goes.")
    path.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: f"{begin}\n{text}{end}", doc, flags=re.S))


def define_output_flags(marker: str) -> None:
    """The table tools' `--output` (a Markdown file to update; default: print) and `--marker` flags."""
    flags.DEFINE_string("output", None, "Markdown file to update between markers (default: print).")
    flags.DEFINE_string("marker", marker, "Marker name in --output.")


def emit(text: str) -> None:
    """Prints `text`, or writes it between the markers of `--output` (see `define_output_flags`)."""
    if flags.FLAGS.output is None:
        print(text)
    else:
        replace_block(flags.FLAGS.output, flags.FLAGS.marker, text)
