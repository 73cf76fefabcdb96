"""Decoded text -> the text a reader sees, which is the text spans refer to (`documents.text`).

Three kinds of source need it, each recognised by its content:
- an HTML page: the reader-visible text of the page (flows/extract/html_text.py);
- an XML export: `&#xD;` (the escaped CR of CRLF line ends) becomes a plain line end, as XML
  parsers do with literal CRLF, so that spans can point at field values verbatim;
- plain text with markdown escapes (`\\>`, `\\^`, as pages copied through markdown carry them):
  the escapes are removed.
JSON and CSV exports are left as they are: a backslash means something there.
"""

from __future__ import annotations

from flows.extract.html_text import html_to_text, looks_like_html
from flows.parse.escapes import has_markdown_escapes, unescape_markdown

HTML_FORMAT = "html"


def reader_text(text: str, hint: str | None) -> tuple[str, str | None]:
    """(text spans refer to, format hint): the hint becomes `html` for a web page."""
    if hint is None and looks_like_html(text[:4096]):
        return html_to_text(text), HTML_FORMAT
    first = text.lstrip()[:1]
    if first == "<":
        return (text.replace("&#xD;\n", "\n").replace("&#xD;", "\n") if "&#xD;" in text else text), hint
    if hint is None and first not in ("{", "[") and has_markdown_escapes(text):
        return unescape_markdown(text), hint
    return text, hint
