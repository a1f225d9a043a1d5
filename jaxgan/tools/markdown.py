"""Writing generated Markdown into documents between markers, so no number is typed by hand."""

from __future__ import annotations

import re

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
