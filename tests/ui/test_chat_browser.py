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
from hostile_notice import NOTICE, NOTICE_FILE, NOTICE_TITLE, leaks
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


def _next_to_the_input(page) -> None:  # type: ignore[no-untyped-def]
    """The message is in view, just above the question box, and the box has not moved out of view."""
    error, box = page.locator("#ask-error .ask-error").bounding_box(), page.locator("#question").bounding_box()
    viewport = page.viewport_size
    assert error["y"] >= 0 and error["y"] + error["height"] <= viewport["height"]
    assert box["y"] + 40 <= viewport["height"], "the question box was pushed below the fold"
    assert 0 <= box["y"] - (error["y"] + error["height"]) <= 40, (error, box)


def test_question_length_is_limited_with_a_clear_message_next_to_the_input(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    page.fill("#question textarea", "Why " * 400)
    page.click("#ask")
    page.wait_for_selector("#ask-error .ask-error")
    message = page.inner_text("#ask-error")
    assert "limited to 1,000" in message and "1,599 characters" in message
    assert page.locator("#chat .bot").count() == 0
    assert page.input_value("#question textarea").startswith("Why Why")  # kept, to be shortened
    _next_to_the_input(page)
    context.close()


def test_an_empty_question_gets_a_message_instead_of_silence(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#question textarea", "   ")
    page.click("#ask")
    page.wait_for_selector("#ask-error .ask-error")
    assert "Type a question first" in page.inner_text("#ask-error")
    _next_to_the_input(page)
    assert page.locator("#chat .bot").count() == 0
    ask(page, FISHER)  # asking properly clears the message
    assert not page.locator("#ask-error .ask-error").is_visible()


def test_at_narrow_widths_a_citation_click_scrolls_the_page_to_its_card(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    ask(page, FISHER)
    n = page.locator("#chat a.cite").count()
    card = page.locator(f"#sources-panel #src-1-{n}").bounding_box()
    chat = page.locator("#chat").bounding_box()
    assert card["y"] > 900 and page.locator("#sources-panel").bounding_box()["y"] >= chat["y"] + chat["height"], \
        "at 800 px the sources sit below the chat, the last card out of view"
    before = page.evaluate("window.scrollY")
    page.locator("#chat a.cite").last.click()
    page.wait_for_timeout(1500)
    assert page.evaluate("window.scrollY") > before
    card = page.locator(f"#sources-panel #src-1-{n}").bounding_box()
    assert 0 <= card["y"] < 900 - 40, card  # its card is on screen
    assert "flash" in (page.locator(f"#src-1-{n}").get_attribute("class") or "")
    context.close()


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


def test_the_feedback_box_opens_beside_the_answer_it_rates(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, FISHER)
    ask(page, "What does Jonathan McShane say about health and wellbeing boards?")
    first = page.locator("#chat .message-row").nth(1)  # the first answer (rows: question, answer, ...)
    first.scroll_into_view_if_needed()
    first.locator("button[aria-label='Like']").click()
    page.wait_for_function("document.querySelector('#feedback-box')?.hasAttribute('data-beside')", timeout=30_000)
    page.wait_for_timeout(300)
    box = page.locator("#feedback-box").bounding_box()
    rated, chat = first.bounding_box(), page.locator("#chat").bounding_box()
    chat_bottom = chat["y"] + chat["height"]
    assert chat["y"] <= box["y"] and box["y"] + box["height"] <= chat_bottom + 1  # over the chat, not below it
    rated_bottom = rated["y"] + rated["height"]
    if rated_bottom < chat_bottom - box["height"]:
        assert 0 <= box["y"] - rated_bottom <= 40, (box, rated)  # right under the answer it rates
    else:  # the answer runs past the chat's bottom edge: the box sits at that edge, over its end
        assert box["y"] + box["height"] >= chat_bottom - 12, (box, rated, chat)
    assert box["y"] + box["height"] <= page.viewport_size["height"]


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


def test_the_hostile_notice_is_set_aside_and_never_shown(page, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notice = tmp_path / NOTICE_FILE
    notice.write_text(NOTICE, encoding="utf-8")
    report = upload(page, server, notice)
    assert f"In {NOTICE_TITLE}: 3 sentences addressed to an AI were set aside" in report
    page.wait_for_function(f"document.querySelector('#library-table').innerText.includes('{NOTICE_TITLE}')")
    row = page.locator("#library-table tr", has_text=NOTICE_TITLE)
    assert "3 sentences addressed to an AI were set aside" in row.inner_text()
    open_tab(page, "Ask")
    questions = ["Is Testshire County Council bankrupt?", "How much does adult social care receive in Testshire?",
                 "Has Testshire declared a section 114 notice?"]
    for question in questions:
        ask(page, question)
    first = page.locator("#chat .bot").nth(0)
    assert "Not answered from the library" in first.inner_text() and "addressed to an AI assistant" in first.inner_text()
    assert "£241 million" in page.locator("#chat .bot").nth(1).inner_text()
    shown = page.inner_text("#chat") + page.inner_text("#sources-panel")
    page.locator("#sources-panel details.earlier").evaluate("d => d.open = true")
    shown += page.inner_text("#sources-panel")
    assert leaks(shown, questions) == [], "text addressed to an AI reached the page"
    with page.expect_download() as download:
        page.click("#brief-md")
    assert leaks(Path(download.value.path()).read_text(encoding="utf-8"), questions) == []


def test_a_refusal_under_a_filter_names_the_filter(page) -> None:  # type: ignore[no-untyped-def]
    open_tab(page, "Library")
    choose(page, "filter-docs", MCSHANE_TITLE)
    open_tab(page, "Ask")
    ask(page, "What is the capital of France?")
    answer = last_answer(page).inner_text()
    assert "Not answered from the selected documents" in answer
    assert f"The selected documents (document “{MCSHANE_TITLE}”) don't answer this question" in answer
    assert "The selected documents do not answer" in page.inner_text("#sources-panel")


def test_answers_and_quotes_can_be_left_out_of_the_briefing(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, FISHER)
    ask(page, "What does Jonathan McShane say about health and wellbeing boards?")
    page.click("#briefing-choose button, #briefing-choose .label-wrap")
    page.wait_for_selector("#brief-answers input[type=checkbox]")
    assert page.locator("#brief-answers input[type=checkbox]").count() == 2
    assert all(box.is_checked() for box in page.locator("#brief-quotes input[type=checkbox]").all())
    page.locator("#brief-answers label", has_text="1. What did Brian Fisher").locator("input").uncheck()

    def markdown() -> str:
        with page.expect_download() as download:
            page.click("#brief-md")
        return Path(download.value.path()).read_text(encoding="utf-8")

    for _ in range(10):  # the note is rewritten on the server when a box is unticked
        page.wait_for_timeout(500)
        note = markdown()
        if FISHER not in note:
            break
    assert FISHER not in note and "Jonathan McShane" in note
    quote = page.locator("#brief-quotes label", has_text="2. [1]")
    quoted = quote.inner_text().split("“", 1)[1][:30]
    quote.locator("input").uncheck()
    for _ in range(10):
        page.wait_for_timeout(500)
        note = markdown()
        if quoted not in note:
            break
    assert quoted not in note


def test_an_officer_corrects_and_then_deletes_a_document_in_the_library_tab(  # type: ignore[no-untyped-def]
    page, server: Server, tmp_path: Path
) -> None:
    wrong = tmp_path / "eastbrook-discharge-memo.md"
    wrong.write_text("# Template\n\nEastbrook's discharge-to-assess beds cut average hospital stays by two days "
                     "in the winter of 2022.\n", encoding="utf-8")
    upload(page, server, wrong)
    choose(page, "manage-doc", "Template")
    page.wait_for_function("document.querySelector('#edit-title textarea, #edit-title input').value === 'Template'")
    page.fill("#edit-title textarea, #edit-title input", "Eastbrook discharge to assess memo")
    page.fill("#edit-date textarea, #edit-date input", "2022-13")
    page.click("#edit-save")
    page.wait_for_selector("#manage-report .upload-report.bad")
    assert "is not a real date" in page.inner_text("#manage-report")
    page.fill("#edit-date textarea, #edit-date input", "2023-02")
    page.click("#edit-save")
    page.wait_for_function("document.querySelector('#manage-report')?.innerText.includes('Saved')")
    page.wait_for_function(
        "document.querySelector('#library-table').innerText.includes('Eastbrook discharge to assess memo')")
    row = page.locator("#library-table tr", has_text="Eastbrook discharge to assess memo")
    assert "2023-02" in row.inner_text() and "inferred" not in row.inner_text()
    open_tab(page, "Ask")
    ask(page, "By how much did Eastbrook's discharge-to-assess beds cut hospital stays?")
    assert "Eastbrook discharge to assess memo" in page.inner_text("#sources-panel")

    open_tab(page, "Library")
    page.click("#doc-delete")
    page.wait_for_selector("#delete-confirm", state="visible")
    assert "uploaded copy will be deleted" in page.inner_text("#delete-confirm")
    page.click("#delete-no")  # the officer thinks again: nothing happens
    page.wait_for_selector("#delete-confirm", state="hidden")
    assert (server.data_dir / "uploads" / wrong.name).exists()
    page.click("#doc-delete")
    page.click("#delete-yes")
    page.wait_for_function("document.querySelector('#manage-report')?.innerText.includes('Deleted')")
    page.wait_for_function(
        "!document.querySelector('#library-table').innerText.includes('Eastbrook discharge to assess memo')")
    assert not (server.data_dir / "uploads" / wrong.name).exists()
    open_tab(page, "Ask")
    ask(page, "By how much did Eastbrook's discharge-to-assess beds cut hospital stays?")
    assert "Eastbrook discharge to assess memo" not in page.inner_text("#sources-panel")
