"""The charter text as a document: front matter, headings with anchors, paragraphs, lists.

The body is plain text as ratified (``Article N – Title``, ``N.N Title``, ``- item``,
``**bold**``, ``*italic*``). The parser turns it into blocks that the web page and the
PDF certificate both typeset, and builds the table of contents by article. The
document's own printed table of contents (lines ending with a page number) and stray
page numbers are dropped: the web page has its own.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

ARTICLE_RE = re.compile(r"^(Préambule|Article\s+(\d+))\s*[–—-]\s*(.+)$")
SECTION_RE = re.compile(r"^(\d+)\.(\d+)\s+(\S.*)$")
TOC_LINE_RE = re.compile(r"(\t\s*\d+|\.{3,}\s*\d+)\s*$")
PAGE_NUMBER_RE = re.compile(r"^\d{1,3}$")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
ITALIC_RE = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
ARTICLE_3_3 = "article-3-3"


def inline(text: str) -> SafeString:
    """Escape the text, then turn ``**bold**`` and ``*italic*`` into markup."""
    html = escape(text)
    html = BOLD_RE.sub(r"<strong>\1</strong>", html)
    html = ITALIC_RE.sub(r"<em>\1</em>", html)
    # Escaped above; only our own <strong>/<em> tags are added.
    return mark_safe(html)  # nosemgrep: portal-mark-safe  # noqa: S308  # nosec B308 B703


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "list"
    # An empty string: nothing to escape.
    html: SafeString = mark_safe("")  # nosemgrep: portal-mark-safe  # nosec B308
    level: int = 0
    anchor: str = ""
    items: list[SafeString] = field(default_factory=list)


@dataclass
class TocEntry:
    anchor: str
    title: str
    children: list["TocEntry"] = field(default_factory=list)


@dataclass
class CharterDocument:
    front_matter: list[str]
    blocks: list[Block]
    toc: list[TocEntry]

    def section(self, anchor: str) -> "CharterDocument":
        """Only the section ``anchor`` (e.g. art. 3.3 for an ethics-only signature)."""
        selected, inside, level = [], False, 0
        for block in self.blocks:
            if block.kind == "heading":
                if block.anchor == anchor:
                    inside, level = True, block.level
                elif inside and block.level <= level:
                    break
            if inside:
                selected.append(block)
        toc = [TocEntry(anchor=b.anchor, title=str(b.html)) for b in selected[:1]]
        return CharterDocument(front_matter=self.front_matter, blocks=selected, toc=toc)


def _is_minor_heading(line: str) -> bool:
    # e.g. "Les référents de zone": short, capitalised, without final punctuation.
    return (
        len(line) < 40
        and line[:1].isupper()
        and not line.startswith("- ")
        and line[-1] not in ".:;,!?)»"
    )


@lru_cache(maxsize=8)
def parse_charter(body: str) -> CharterDocument:
    """The document of a charter text. A version's text never changes once ratified, so
    each process parses it once: the result is shared, and read only by its callers
    (``section`` builds a new document)."""
    front_matter: list[str] = []
    blocks: list[Block] = []
    toc: list[TocEntry] = []
    used: set[str] = set()
    in_body = False
    list_items: list[SafeString] = []

    def flush_list():
        if list_items:
            blocks.append(Block(kind="list", items=list(list_items)))
            list_items.clear()

    def unique(anchor: str) -> str:
        candidate, n = anchor, 2
        while candidate in used:
            candidate, n = f"{anchor}-{n}", n + 1
        used.add(candidate)
        return candidate

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line or PAGE_NUMBER_RE.match(line) or TOC_LINE_RE.search(raw.rstrip("\n")):
            continue
        article = ARTICLE_RE.match(line)
        section = SECTION_RE.match(line)
        if article:
            flush_list()
            in_body = True
            anchor = unique(
                "preambule" if article.group(1) == "Préambule" else f"article-{article.group(2)}"
            )
            blocks.append(Block(kind="heading", html=inline(line), level=2, anchor=anchor))
            toc.append(TocEntry(anchor=anchor, title=line))
        elif in_body and section:
            flush_list()
            anchor = unique(f"article-{section.group(1)}-{section.group(2)}")
            blocks.append(Block(kind="heading", html=inline(line), level=3, anchor=anchor))
            if toc:
                toc[-1].children.append(TocEntry(anchor=anchor, title=line))
        elif not in_body:
            front_matter.append(line)
        elif line.startswith("- "):
            list_items.append(inline(line[2:].strip()))
        elif _is_minor_heading(line):
            flush_list()
            anchor = unique(slugify(line))
            blocks.append(Block(kind="heading", html=inline(line), level=4, anchor=anchor))
        else:
            flush_list()
            blocks.append(Block(kind="paragraph", html=inline(line)))
    flush_list()
    return CharterDocument(front_matter=front_matter, blocks=blocks, toc=toc)
