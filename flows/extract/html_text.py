"""A saved registry web page (HTML) -> the plain text the segmenter reads and spans refer to.

A real HTML parser (lxml) walks the page; what reaches the text is what a reader of the
page sees as the record: headings on their own lines, label/value table rows as
`Label: value` (a multi-line value goes on the lines below `Label:`), list items as
`- item` lines, `<br>` as a line break. Page chrome (scripts, navigation, headers and
footers, forms, buttons, cookie banners, glossaries) and hidden elements are dropped,
except hidden elements that hold the record itself (tab panels, "read more" panels, the
raw text a script copies into an empty element); the visible truncated excerpt of such a
panel is dropped in its favour. The output is a deterministic function of the input.
"""

from __future__ import annotations

import re
import textwrap

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

_HTML_SIGNS = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPACE = re.compile(r"[^\S\n]+")
_SPACE_BEFORE_COLON = re.compile(r"(?<=[^\W\d_])\s+([:：])(?=\s|$)")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u00ad\ufeff]")
_LABEL_COLONS = re.compile(r"[:：]+")
_ELLIPSIS = re.compile(r"(\.{3}|…)\s*$")
_TOGGLE_TEXT = re.compile(r"^(read|show|view|see)\s+(more|less|all)$", re.IGNORECASE)

DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "button",
        "select",
        "option",
        "input",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "nav",
        "footer",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
# class/id words that mark site chrome, matched against the parts of `a-b_c` names
CHROME_WORDS = frozenset(
    [
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "footer",
        "breadcrumb",
        "breadcrumbs",
        "cookie",
        "cookies",
        "glossary",
        "modal",
        "popup",
        "skip",
        "hamburger",
        "sitemap",
        "social",
        "share",
    ]
)
CHROME_NAMES = frozenset(
    [
        "header",
        "masthead",
        "topbar",
        "toolbar",
        "tabs",
        "tab-links",
        "nav-tabs",
    ]
)  # whole names only
CHROME_ROLES = frozenset(["navigation", "banner", "contentinfo", "search", "menu", "menubar"])
HIDDEN_CLASSES = frozenset(
    [
        "hidden",
        "hide",
        "d-none",
        "invisible",
        "sr-only",
        "visually-hidden",
        "mfp-hide",
    ]
)
# a hidden element with one of these words holds record text a script reveals
REVEAL_WORDS = frozenset(
    [
        "tab",
        "tabpanel",
        "pane",
        "more",
        "collapse",
        "collapsed",
        "expand",
        "expandable",
        "accordion",
        "full",
    ]
)
LABEL_CLASS_WORDS = frozenset(["label", "title", "key", "field", "name", "th"])


def looks_like_html(head: bytes | str) -> bool:
    """Whether a document is an HTML page: it opens with markup and has a doctype/html/head/body tag."""
    raw = head.encode("utf-8", "replace") if isinstance(head, str) else head
    raw = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return raw.startswith(b"<") and _HTML_SIGNS.search(raw) is not None


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in a <meta> tag, lower-cased, or None."""
    match = _META_CHARSET.search(head[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def html_to_text(html: str) -> str:
    """The reader-visible record text of an HTML page, one block a line."""
    root = _parse(html)
    if root is None:
        return ""
    _prune(root)
    renderer = _Renderer()
    renderer.render(root)
    return _finish(renderer.lines)


def _parse(html: str) -> HtmlElement | None:
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


# ----------------------------------------------------------------------------------------- pruning


def _prune(root: HtmlElement) -> None:
    _drop_before_single_h1(root)
    body_text = _norm(root.text_content())
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        if _is_chrome(element, len(body_text)):
            element.drop_tree()
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.getparent() is not None and _is_hidden(element):
            if _holds_record_text(element):
                _drop_truncated_copies(element)
            else:
                element.drop_tree()
    for element in list(root.iter(*HEADING_TAGS, "p", "div", "span", "a")):
        if element.getparent() is not None and _TOGGLE_TEXT.match(_norm(element.text_content())):
            element.drop_tree()


def _drop_before_single_h1(root: HtmlElement) -> None:
    """A page with one <h1> starts its record there; what precedes it is site banner and menus."""
    headings = root.xpath("//body//h1")
    if len(headings) != 1:
        return
    node = headings[0]
    while node.getparent() is not None and node.tag != "body":
        for sibling in list(node.itersiblings(preceding=True)):
            sibling.drop_tree()
        node = node.getparent()


def _is_chrome(element: HtmlElement, body_chars: int) -> bool:
    tag = element.tag
    if tag in DROPPED_TAGS:
        return True
    if tag == "header":
        return not element.xpath(".//h1")
    if tag == "form":  # whole-page ASP.NET forms wrap the record itself; search forms do not
        return len(_norm(element.text_content())) * 2 < body_chars
    if (element.get("role") or "").lower() in CHROME_ROLES:
        return True
    names = [*(element.get("class") or "").lower().split(), (element.get("id") or "").lower()]
    if any(name in CHROME_NAMES for name in names):
        return True
    return any(word in CHROME_WORDS for name in names for word in re.split(r"[-_]", name))


def _is_hidden(element: HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    classes = set((element.get("class") or "").lower().split())
    return (
        element.get("hidden") is not None
        or (element.get("aria-hidden") or "").lower() == "true"
        or "display:none" in style
        or "visibility:hidden" in style
        or bool(classes & HIDDEN_CLASSES)
    )


def _holds_record_text(element: HtmlElement) -> bool:
    if element.tag == "textarea" or (element.get("role") or "").lower() == "tabpanel":
        return bool(_norm(element.text_content()))
    words = {w for name in (element.get("class") or "").lower().split() for w in re.split(r"[-_]", name)}
    if words & REVEAL_WORDS:
        return bool(_norm(element.text_content()))
    parent = element.getparent()
    own = _norm(element.text_content())
    return bool(own) and parent is not None and _norm(parent.text_content()) == own


def _drop_truncated_copies(panel: HtmlElement) -> None:
    """Drop a visible sibling that shows the start of the hidden panel's text ("excerpt ...")."""
    parent = panel.getparent()
    full = _norm(panel.text_content())
    for sibling in list(parent) if parent is not None else []:
        if sibling is panel or not isinstance(sibling.tag, str) or _is_hidden(sibling):
            continue
        start = _ELLIPSIS.sub("", _norm(sibling.text_content())).rstrip()
        if len(start) >= 20 and len(start) < len(full) and full.startswith(start):
            sibling.drop_tree()


def _norm(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", text).split())


# --------------------------------------------------------------------------------------- rendering


class _Renderer:
    """Walks an element tree and writes lines; inline text is joined, blocks break lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._parts: list[str] = []
        self._indent = 0  # spaces kept after a <br> (registry texts indent nested items)
        self._after_break = False
        self._prefixes: list[tuple[str, str]] = []  # (first-line, continuation) per open list item
        self._bullet_pending = False

    def render(self, element: HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            self._line_break()
        elif tag in ("table", "dl"):
            self.flush()
            rows = _table_lines(element) if tag == "table" else _definition_lines(element)
            self.emit(rows)
        elif tag in ("pre", "textarea"):
            self.flush()
            self.emit(_preformatted_lines(element.text_content(), dedent=tag == "pre"))
        elif tag == "li":
            self._render_list_item(element)
        elif tag in BLOCK_TAGS:
            self.flush()
            if tag in HEADING_TAGS and self.lines and self.lines[-1]:
                self.lines.append("")
            self._render_children(element)
            self.flush()
        else:
            self._render_children(element)

    def _render_children(self, element: HtmlElement) -> None:
        if element.text:
            self._add_text(element.text)
        for child in element:
            self.render(child)
            if child.tail:
                self._add_text(child.tail)

    def _render_list_item(self, element: HtmlElement) -> None:
        self.flush()
        base = "  " * len(self._prefixes)
        self._prefixes.append((base + "- ", base + "  "))
        self._bullet_pending = True
        self._render_children(element)
        self.flush()
        self._prefixes.pop()
        self._bullet_pending = False

    def _add_text(self, text: str) -> None:
        if not self._parts and self._after_break:
            leading = text[: len(text) - len(text.lstrip())]
            self._indent = len(leading.replace("\t", "    ")) if "\n" not in leading else 0
        self._after_break = False
        self._parts.append(text)

    def _line_break(self) -> None:
        if not _norm("".join(self._parts)) and self.lines and self.lines[-1]:
            self.lines.append("")
        self.flush()
        self._after_break = True

    def flush(self) -> None:
        text = _clean_inline("".join(self._parts))
        self._parts = []
        indent, self._indent = self._indent, 0
        if text:
            self.emit([" " * indent + text])

    def emit(self, lines: list[str]) -> None:
        for line in lines:
            if not line:
                self.lines.append("")
                continue
            if self._prefixes:
                first, rest = self._prefixes[-1]
                line = (first if self._bullet_pending else rest) + line
                self._bullet_pending = False
            self.lines.append(line)


def _clean_inline(text: str) -> str:
    text = _SPACE.sub(" ", _INVISIBLE.sub("", text).replace("\n", " ")).strip()
    return _SPACE_BEFORE_COLON.sub(r"\1", text)


def _render_lines(element: HtmlElement) -> list[str]:
    renderer = _Renderer()
    renderer._render_children(element)
    renderer.flush()
    return [line for line in _trim_blank(renderer.lines)]


def _preformatted_lines(text: str, dedent: bool) -> list[str]:
    text = _INVISIBLE.sub("", text).replace("\xa0", " ").expandtabs(4)
    if dedent:
        lines = [line.rstrip() for line in textwrap.dedent(text).split("\n")]
    else:
        lines = [line.strip() for line in text.split("\n")]
    return _trim_blank(lines)


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# ------------------------------------------------------------------------------------------ tables


def _table_lines(table: HtmlElement) -> list[str]:
    rows = [row for row in table.iter("tr") if _owning_table(row) is table]
    cells_by_row = [[cell for cell in row if cell.tag in ("td", "th")] for row in rows]
    header = cells_by_row[0] if cells_by_row else []
    is_data_table = len(rows) > 1 and len(header) >= 2 and all(cell.tag == "th" for cell in header)
    lines: list[str] = []
    for cells in cells_by_row:
        rendered = [(cell, _render_lines(cell)) for cell in cells]
        rendered = [(cell, cell_lines) for cell, cell_lines in rendered if cell_lines]
        if is_data_table:
            lines.extend(_joined_row(rendered))
        else:
            lines.extend(_label_value_row(rendered))
    return lines


def _owning_table(row: HtmlElement) -> HtmlElement | None:
    for ancestor in row.iterancestors("table"):
        return ancestor
    return None


def _joined_row(rendered: list[tuple[HtmlElement, list[str]]]) -> list[str]:
    if all(len(cell_lines) == 1 for _, cell_lines in rendered):
        return [" | ".join(cell_lines[0] for _, cell_lines in rendered)] if rendered else []
    return [line for _, cell_lines in rendered for line in cell_lines]


def _label_value_row(rendered: list[tuple[HtmlElement, list[str]]]) -> list[str]:
    """Pair label cells with the value cell after them; cells that pair with nothing stand alone."""
    labels = [_is_label_cell(cell, cell_lines) for cell, cell_lines in rendered]
    if len(rendered) == 2 and not any(labels) and len(rendered[0][1]) == 1 and len(rendered[0][1][0]) <= 80:
        labels[0] = True  # an unmarked two-column row is a label/value row
    if not any(labels):
        return _joined_row(rendered)
    lines: list[str] = []
    index = 0
    while index < len(rendered):
        cell_lines = rendered[index][1]
        if labels[index] and index + 1 < len(rendered) and not labels[index + 1]:
            lines.extend(_label_value(_label_text(cell_lines), rendered[index + 1][1]))
            index += 2
            continue
        if not labels[index]:  # a label without a value states nothing
            lines.extend(cell_lines)
        index += 1
    return lines


def _is_label_cell(cell: HtmlElement, cell_lines: list[str]) -> bool:
    if cell.tag == "th":
        return True
    words = {w for name in (cell.get("class") or "").lower().split() for w in re.split(r"[-_]", name)}
    if words & LABEL_CLASS_WORDS:
        return True
    flat = " ".join(cell_lines)
    return len(flat) <= 120 and flat.rstrip().endswith((":", "："))


def _label_text(cell_lines: list[str]) -> str:
    """One label from a label cell; a bilingual cell ("注册号：" / "Registration number：") keeps both."""
    parts = [part.strip() for part in _LABEL_COLONS.split(" ".join(line.strip() for line in cell_lines))]
    return " / ".join(part for part in parts if part)


def _label_value(label: str, value_lines: list[str]) -> list[str]:
    if len(value_lines) == 1:
        return [f"{label}: {value_lines[0].strip()}"]
    return [f"{label}:", *value_lines]


def _definition_lines(dl: HtmlElement) -> list[str]:
    lines: list[str] = []
    label: str | None = None
    for child in dl:
        child_lines = _render_lines(child) if isinstance(child.tag, str) else []
        if child.tag == "dt":
            label = _label_text(child_lines) if child_lines else None
        elif child.tag == "dd" and child_lines:
            lines.extend(_label_value(label, child_lines) if label else child_lines)
            label = None
        else:
            lines.extend(child_lines)
    return lines


def _finish(lines: list[str]) -> str:
    cleaned: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and (not cleaned or not cleaned[-1]):
            continue
        cleaned.append(line)
    text = "\n".join(_trim_blank(cleaned))
    return text + "\n" if text else ""
