"""html_to_text on small pages written like registry pages, and on the real saved pages of
`registry-pages.tar.gz` (read from the corpora folder, unpacked into a temporary folder)."""

from __future__ import annotations

from pathlib import Path

from flows.extract.html_text import declared_charset, html_to_text, looks_like_html

FIXTURES = Path(__file__).parent.parent / "fixtures" / "html"


def test_label_value_rows_lists_and_breaks() -> None:
    """A page shaped like an ISRCTN/ANZCTR record: th/td rows, a list, <br> line breaks."""
    html = """<html><body><nav>Home | Search</nav><h1>Trial of X</h1>
    <table><tr><th>Phase</th><td>Phase 3</td></tr><tr><td class="label">Sex:</td><td>Both</td></tr></table>
    <h2>Inclusion criteria</h2><ul><li>Aged 18 or over</li><li>eGFR &gt;= 30</li></ul>
    <p>line one<br>line two</p><script>var x = 1;</script><footer>Privacy</footer></body></html>"""
    assert html_to_text(html) == (
        "Trial of X\nPhase: Phase 3\nSex: Both\n\nInclusion criteria\n- Aged 18 or over\n- eGFR >= 30\n"
        "line one\nline two\n"
    )


def test_hidden_read_more_panel_replaces_its_truncated_excerpt() -> None:
    html = """<html><body><div><p class="more" style="display: none;">Full text of the eligibility
    criteria, all of it.</p><p class="excerpt">Full text of the eligibility ...</p>
    <h4><span class="text-more">Read more</span><span style="display:none">Read less</span></h4>
    <div style="display:none">popup chrome</div></div></body></html>"""
    assert html_to_text(html) == "Full text of the eligibility criteria, all of it.\n"


def test_chictr_bilingual_labels_and_hidden_textarea() -> None:
    """The ChiCTR-shaped fixture: bilingual label cells, criteria in a hidden textarea."""
    text = html_to_text((FIXTURES / "chictr_ChiCTR2100054321.html").read_text(encoding="utf-8"))
    assert "注册号 / Registration number: ChiCTR2100054321\n" in text
    assert "Inclusion criteria:\n1.Aged 18 to 75 years;\n2.Type 2 diabetes" in text
    assert "Group: Semaglutide group\n" in text
    assert "网站首页" not in text and "jquery" not in text


def test_looks_like_html_and_charset() -> None:
    assert looks_like_html(b"\xef\xbb\xbf<!DOCTYPE html><html>")
    assert looks_like_html("  <html lang='en'><head>")
    assert not looks_like_html("<?xml version='1.0'?><Trials_downloaded_from_ICTRP>")
    assert not looks_like_html("Inclusion Criteria: <html> is a word here")
    assert declared_charset(b'<head><meta charset="GB2312" /></head>') == "gb2312"


def test_real_ctgov_page_keeps_status_and_dates(pages: Path) -> None:
    """ctgov_NCT03057704.html: values checked by hand against the page."""
    text = html_to_text((pages / "ctgov_NCT03057704.html").read_text(encoding="utf-8"))
    assert text.startswith("Comparison of Two Techniques of IV Lidocaine on Propofol Injection Pain\n")
    assert "ClinicalTrials.gov Identifier: NCT03057704\n" in text
    assert "Recruitment Status: Completed\nFirst Posted: February 20, 2017\n" in text
    assert "Study Completion Date: January 20, 2017\n" in text
    assert "2 | December 15, 2017 | January 11, 2018\n" in text
    assert "Find Studies" not in text and "Glossary" not in text


def test_real_takeda_page_keeps_full_criteria_not_excerpt(pages: Path) -> None:
    text = html_to_text((pages / "takeda_TAK-648_101.html").read_text(encoding="utf-8"))
    assert "7. Use of new medications during the course of the study" in text
    assert "5. Has a ..." not in text
    assert "This site uses cookies" not in text
    assert html_to_text((pages / "takeda_TAK-648_101.html").read_text(encoding="utf-8")) == text
