"""Every page title is plain text: the browser tab, bookmarks and screen readers show the
``{% block title %}`` as typed, so markup there shows as raw HTML."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE_BLOCK = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_no_template_puts_markup_in_the_page_title():
    templates = [
        path
        for path in ROOT.rglob("*.html")
        if "templates" in path.parts
        and ".venv" not in path.parts
        and "node_modules" not in path.parts
    ]
    assert len(templates) > 50
    offenders = {
        str(path.relative_to(ROOT)): title
        for path in templates
        for title in TITLE_BLOCK.findall(path.read_text(encoding="utf-8"))
        if "<" in title
    }
    assert offenders == {}
