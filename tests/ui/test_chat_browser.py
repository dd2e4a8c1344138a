"""End to end: the officers' chat in headless Chromium against a real server process."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from docx import Document
from ui_helpers import CLI, Server

pytestmark = [pytest.mark.browser, pytest.mark.server]

FISHER = "What did Brian Fisher suggest the SHA should do next?"
SHA_TITLE = "Whole person care: the hard work follows"
MCSHANE_TITLE = "Labour's 10-year plan for health and care: integration is the real issue"
EVIL = (
    '<img src=x onerror="window.__pwned=1"> Discharge lounge pilot note\n\n'
    "The discharge lounge pilot at Riverside General <script>window.__pwned=1</script> cut delayed "
    "transfers of care by a third in six months.\n\n"
    'Ward staff said the <img src=x onerror="window.__pwned=1"> lounge freed beds before noon every day.\n'
)


def ask(page, question: str, timeout: float = 90_000) -> None:  # type: ignore[no-untyped-def]
    """Type a question, send it, and wait until its answer has finished streaming in and the
    sources panel has been filled for it."""
    before = page.locator("#chat .bot").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        f"document.querySelectorAll('#chat .bot').length > {before} && !document.querySelector('#chat .typing')"
        " && !(document.querySelector('#sources-panel')?.innerText || '').includes('Finding sources')",
        timeout=timeout,
    )


def last_answer(page):  # type: ignore[no-untyped-def]
    return page.locator("#chat .bot").last


def open_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)


def choose(page, dropdown_id: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an option in a Gradio dropdown by (part of) its label."""
    page.click(f"#{dropdown_id} input")
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    page.keyboard.press("Escape")


def upload(page, server: Server, *files: Path) -> str:  # type: ignore[no-untyped-def]
    """Add files through the Library tab; returns the upload report's text."""
    open_tab(page, "Library")
    page.set_input_files("#upload-files input[type=file]", [str(f) for f in files])
    page.wait_for_function(
        f"document.querySelectorAll('#upload-files .file-name, #upload-files tr.file').length >= {len(files)}",
        timeout=30_000,
    )
    page.click("#upload-add")
    page.wait_for_selector("#upload-report .upload-report", timeout=120_000)
    return str(page.inner_text("#upload-report"))


def test_answer_streams_in_with_citations_and_sources_beside_it(page, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=screenshots / "chat-empty.png")
    ask(page, FISHER)
    answer = last_answer(page)
    assert "[1]" in answer.inner_text()
    assert "PFI" in answer.inner_text()
    cite = answer.locator("a.cite").first
    assert cite.get_attribute("href") == "#src-1-1"
    card = page.locator("#sources-panel #src-1-1")
    assert SHA_TITLE in card.inner_text()
    assert "Reader comment by Brian Fisher" in card.inner_text()
    assert "Richard" in card.locator(".source-meta").inner_text() and "2013" in card.inner_text()
    marked = card.locator("mark").inner_text()
    assert "The SHA should now set up a series of policy meetings" in marked
    context = card.locator(".source-context").inner_text()
    assert len(context) > len(marked) and "Brian Fisher says" in context  # the quote inside its passage
    page.screenshot(path=screenshots / "chat-answer.png")

    # Clicking [n] brings that source into view in the panel (and does not navigate away).
    page.evaluate("document.getElementById('sources-panel').scrollTop = 10000")
    cite.click()
    page.wait_for_timeout(900)
    assert page.url.rstrip("/") == page.url.split("#")[0].rstrip("/")
    assert "flash" in (card.get_attribute("class") or "")
    in_view = page.evaluate(
        """() => { const p = document.getElementById('sources-panel').getBoundingClientRect();
                   const c = document.getElementById('src-1-1').getBoundingClientRect();
                   return c.top >= p.top - 1 && c.top < p.bottom; }"""
    )
    assert in_view


def test_follow_up_is_understood_and_the_rewrite_is_visible_on_demand(page, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    ask(page, FISHER)
    ask(page, "and what did he say about PFI?")
    answer = last_answer(page)
    assert "PFI" in answer.inner_text() and "[1]" in answer.inner_text()
    assert answer.locator("a.cite").first.get_attribute("href") == "#src-2-1"
    details = answer.locator("details.understood")
    assert not details.locator("p").is_visible()  # folded until asked for
    details.locator("summary").click()
    assert "Brian Fisher" in details.locator("p").inner_text()
    # The first answer's sources stay reachable, folded under the latest answer's.
    assert page.locator("#sources-panel details.earlier #src-1-1").count() == 1
    page.locator("#chat .bot").first.locator("a.cite").first.click()
    page.wait_for_timeout(600)
    assert page.locator("#sources-panel details.earlier").get_attribute("open") is not None
    page.screenshot(path=screenshots / "chat-follow-up.png")


def test_refusal_looks_different_and_lists_related_passages(page, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    ask(page, "What is the capital of France?")
    answer = last_answer(page)
    assert answer.locator(".refusal").is_visible()
    assert "Not answered from the library" in answer.inner_text()
    assert answer.locator("a.cite").count() == 0
    assert page.locator("#sources-panel .related-note").is_visible()
    assert page.locator("#sources-panel .source.related").count() >= 1
    page.screenshot(path=screenshots / "chat-refusal.png")


def test_question_length_is_limited_with_a_clear_message(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#question textarea", "Why " * 400)
    page.click("#ask")
    page.wait_for_selector("#ask-error .ask-error")
    message = page.inner_text("#ask-error")
    assert "limited to 1,000" in message and "1,599 characters" in message
    assert page.locator("#chat .bot").count() == 0
    assert page.input_value("#question textarea").startswith("Why Why")  # kept, to be shortened


def test_example_questions_on_the_empty_chat_are_asked_when_clicked(page) -> None:  # type: ignore[no-untyped-def]
    examples = page.locator("#chat button.example")
    texts = [examples.nth(i).inner_text() for i in range(examples.count())]
    assert len(texts) >= 3
    assert any("2013" in t for t in texts)  # the history question is drawn from the library's years
    assert any("Michael Bracey" in t or "Jonathan McShane" in t for t in texts)  # who said what
    examples.nth(0).click()
    page.wait_for_function(
        "document.querySelectorAll('#chat .bot').length > 0 && !document.querySelector('#chat .typing')",
        timeout=90_000,
    )
    assert texts[0] in page.locator("#chat .user").first.inner_text()


def test_filter_restricts_answers_to_one_document(page, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    open_tab(page, "Library")
    choose(page, "filter-docs", MCSHANE_TITLE)
    open_tab(page, "Ask")
    banner = page.locator("#filter-banner")
    banner.wait_for()
    assert "Questions are limited to" in banner.inner_text() and MCSHANE_TITLE in banner.inner_text()
    ask(page, "What should happen to health and social care integration?")
    titles = page.locator("#sources-panel .source-title").all_inner_texts()
    assert titles and set(titles) == {MCSHANE_TITLE}
    page.screenshot(path=screenshots / "chat-filtered.png")
    # Clearing the filter searches the whole library again.
    open_tab(page, "Library")
    page.click("#filter-clear")
    open_tab(page, "Ask")
    page.wait_for_function("!document.querySelector('#filter-banner .filter-banner')")
    ask(page, FISHER)
    assert SHA_TITLE in page.inner_text("#sources-panel")


def test_briefing_note_downloads_as_word_and_markdown(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ask(page, FISHER)
    ask(page, "and what did he say about PFI?")
    with page.expect_download() as download:
        page.click("#brief-docx")
    path = tmp_path / "note.docx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert FISHER in text and "and what did he say about PFI?" in text
    assert "References" in text and "Quoted evidence" in text
    assert "Richard (2013). Whole person care: the hard work follows. Socialist Health Association" in text
    assert "Reader comment by Brian Fisher" in text
    assert "“The SHA should now set up a series of policy meetings" in text
    assert re.search(r"\[1\]", text)

    with page.expect_download() as download:
        page.click("#brief-md")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Briefing note") and "## References" in markdown and "> “" in markdown

    page.check("#briefing-latest input")  # the latest answer only
    for _ in range(10):  # the note is rewritten on the server when the box is ticked
        page.wait_for_timeout(500)
        with page.expect_download() as download:
            page.click("#brief-md")
        latest = Path(download.value.path()).read_text(encoding="utf-8")
        if FISHER not in latest:
            break
    assert "and what did he say about PFI?" in latest and FISHER not in latest


def test_feedback_is_stored_in_sqlite_and_exported(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    ask(page, FISHER)
    page.locator("#chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#feedback-box", state="visible")
    page.fill("#feedback-comment textarea, #feedback-comment input", "Quote is right but too short for a brief.")
    page.click("#feedback-save")
    page.wait_for_function("document.querySelector('#feedback-box').innerText.includes('Comment saved')")
    with sqlite3.connect(server.data_dir / "feedback.sqlite3") as db:
        rows = db.execute(
            "SELECT rating, comment, question, answer_markdown, citations_json FROM feedback WHERE comment LIKE ?",
            ("Quote is right%",),
        ).fetchall()
    assert len(rows) == 1
    rating, _comment, question, answer, citations = rows[0]
    assert rating == "down" and question == FISHER and "[1]" in answer
    assert json.loads(citations)[0]["title"] == SHA_TITLE

    open_tab(page, "Library")
    with page.expect_download() as download:
        page.click("#feedback-download")
    lines = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert any(r["comment"] == "Quote is right but too short for a brief." for r in lines)

    exported = subprocess.run(
        [str(CLI), "feedback", "export", "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, check=True, env=server.env, timeout=120,
    ).stdout
    assert any(json.loads(line)["rating"] == "down" for line in exported.splitlines())


def test_upload_adds_files_and_reports_per_file_errors(page, server: Server, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       screenshots: Path) -> None:
    good = tmp_path / "intermediate-care-note.md"
    good.write_text("# Intermediate care capacity review\n\nThe borough commissioned 40 step-down beds "
                    "for intermediate care in partnership with the community trust.\n", encoding="utf-8")
    empty = tmp_path / "blank-minutes.txt"
    empty.write_text("", encoding="utf-8")
    report = upload(page, server, good, empty)
    assert "Added: Intermediate care capacity review" in report
    assert "blank-minutes.txt was not added" in report and "empty" in report
    assert (server.data_dir / "uploads" / "intermediate-care-note.md").exists()
    page.wait_for_function(
        "document.querySelector('#library-table').innerText.includes('Intermediate care capacity review')")
    page.screenshot(path=screenshots / "library.png", full_page=True)
    open_tab(page, "Ask")
    ask(page, "How many step-down beds did the borough commission for intermediate care?")
    assert "40 step-down beds" in last_answer(page).inner_text()


def test_document_markup_is_shown_as_text_and_never_runs(page, server: Server, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         screenshots: Path) -> None:
    evil = tmp_path / "discharge-lounge-note.txt"
    evil.write_text(EVIL, encoding="utf-8")
    report = upload(page, server, evil)
    assert "Added" in report and "<img src=x" in report  # the title, as text
    page.wait_for_function("document.querySelector('#library-table').innerText.includes('Discharge lounge pilot')")
    title = page.locator("#library-table .lib-title", has_text="Discharge lounge pilot note").inner_text()
    assert title.startswith("<img src=x onerror=")  # the markup in the title shows as text
    choose(page, "filter-docs", "Discharge lounge pilot note")
    open_tab(page, "Ask")
    ask(page, "What did the discharge lounge pilot at Riverside General achieve?")
    answer = last_answer(page).inner_text()
    panel = page.inner_text("#sources-panel")
    assert "<script>window.__pwned=1</script>" in answer + panel
    assert "Discharge lounge pilot note" in panel
    time.sleep(0.5)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    for where in ("#chat", "#sources-panel", "#library-table", "#upload-report"):
        assert page.locator(f"{where} script").count() == 0
        assert page.locator(f"{where} img[onerror], {where} img[src='x']").count() == 0
    page.screenshot(path=screenshots / "chat-markup-as-text.png")


def test_new_conversation_starts_afresh(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, FISHER)
    page.click("#new-chat")
    page.wait_for_function("document.querySelectorAll('#chat .bot').length === 0")
    assert page.locator("#sources-panel .source").count() == 0
    assert not page.locator("#brief-docx").is_visible()
    ask(page, "and what did he say about PFI?")
    assert page.locator("#chat details.understood").count() == 0  # no history, so nothing to rewrite
