"""Every PDF of the portal is archival (PDF/A-3a) and accessible (tagged, PDF/UA-1)."""

from core.pdf import html_to_pdf, render_pdf
from tests.core.pdf_markers import assert_archival_and_tagged

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Lettre de la COS-GE</title></head>
<body><h1>Lettre</h1><p>Texte accentué : é, è, à.</p>
<table><tr><th scope="row">Entité</th><td>Forge de l'Est</td></tr></table></body></html>"""


def test_a_pdf_is_pdfa_3a_and_pdfua_1_with_its_language_and_title(tmp_path):
    pdf = html_to_pdf(PAGE)
    assert_archival_and_tagged(pdf, tmp_path, title="Lettre de la COS-GE", lang="fr")


def test_the_title_given_by_the_caller_and_the_rendering_language_win(tmp_path):
    pdf = html_to_pdf(PAGE, metadata={"title": "Decision letter"}, language="en")
    assert_archival_and_tagged(pdf, tmp_path, title="Decision letter", lang="en")


def test_a_template_is_rendered_in_the_recipients_language(tmp_path):
    pdf = render_pdf(
        "members/letters/_letter.html",
        {"title": "Décision du COPIL"},
        language="en",
        metadata={"title": "Décision du COPIL"},
    )
    assert_archival_and_tagged(pdf, tmp_path, title="Décision du COPIL", lang="en")
