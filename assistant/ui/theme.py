"""Theme, CSS and the one small script of the officers' chat.

System fonts only (nothing is fetched from the internet). The script makes a click on an [n]
marker bring source n into view (in the sources panel, and on the page when the panel is out of
sight), and opens the feedback box beside the answer being rated.
"""

from __future__ import annotations

import gradio as gr

_FONTS = ["Arial", "Helvetica Neue", "system-ui", "sans-serif"]
_MONO = ["ui-monospace", "Consolas", "DejaVu Sans Mono", "monospace"]

THEME = gr.themes.Default(
    primary_hue=gr.themes.colors.blue,
    secondary_hue=gr.themes.colors.slate,
    neutral_hue=gr.themes.colors.slate,
    radius_size=gr.themes.sizes.radius_sm,
    font=_FONTS,
    font_mono=_MONO,
).set(
    body_background_fill="#f5f7fa",
    body_background_fill_dark="#14171b",
    block_border_width="1px",
    block_shadow="none",
    button_primary_background_fill="#005eb8",
    button_primary_background_fill_hover="#004b93",
    button_primary_text_color="#ffffff",
    button_primary_border_color="#005eb8",
)

CSS = """
:root {
  --pa-accent: #005eb8; --pa-accent-soft: #e6f0fa; --pa-muted: #56606d; --pa-mark: #ffe98a;
  --pa-border: #d5dbe2; --pa-card: #ffffff; --pa-soft: #f2f4f7; --pa-warn-bg: #fff7e0; --pa-warn: #7a5200;
}
.dark {
  --pa-accent: #5aa2ee; --pa-accent-soft: #1d2f45; --pa-muted: #a3adba; --pa-mark: #6b5a00;
  --pa-border: #3a424c; --pa-card: #1d2127; --pa-soft: #252a31; --pa-warn-bg: #3a3117; --pa-warn: #f3d27a;
}
.gradio-container { max-width: 1400px !important; margin: 0 auto !important; }
footer { display: none !important; }

/* header */
.pa-header { display: flex; justify-content: space-between; align-items: center; gap: 16px;
  padding: 10px 2px 12px; border-bottom: 3px solid var(--pa-accent); }
.pa-title { font-size: 1.4rem; font-weight: 700; color: var(--pa-accent); letter-spacing: -0.01em; }
.pa-subtitle { color: var(--pa-muted); font-size: 0.92rem; margin-top: 2px; }
.pa-badge { flex: none; font-size: 0.78rem; font-weight: 600; padding: 4px 10px; border-radius: 999px;
  background: var(--pa-accent-soft); color: var(--pa-accent); white-space: nowrap; }

.panel-title { font-weight: 700; font-size: 0.95rem; margin: 4px 0 2px; color: var(--body-text-color); }
.panel-hint { color: var(--pa-muted); font-size: 0.84rem; margin-bottom: 6px; }

/* chat */
#chat { border: 1px solid var(--pa-border); }
#chat .message .prose { color: var(--body-text-color) !important; line-height: 1.6; }
#chat .user-row .message-buttons { display: none; }
#chat .user-row .prose { font-weight: 600; }
#chat .chat-empty { color: var(--pa-muted); text-align: center; line-height: 1.6; max-width: 460px; }
#chat .chat-empty strong { color: var(--body-text-color); font-size: 1.05rem; }
#chat a.cite { text-decoration: none; font-weight: 700; color: var(--pa-accent); background: var(--pa-accent-soft);
  border-radius: 4px; padding: 0 3px; margin: 0 1px; font-size: 0.85em; white-space: nowrap; cursor: pointer; }
#chat a.cite:hover { background: var(--pa-accent); color: #fff; }
#chat .refusal { background: var(--pa-soft); border: 1px dashed var(--pa-border); border-radius: 6px;
  padding: 10px 12px; color: var(--pa-muted); }
#chat .refusal-title { font-weight: 700; color: var(--body-text-color); margin-bottom: 4px; }
#chat .refusal-hint { font-size: 0.86rem; margin-top: 6px; }
#chat .refusal.error { border-style: solid; border-color: #f3b8b2; }
#chat .answer-notice { font-size: 0.85rem; color: var(--pa-warn); background: var(--pa-warn-bg);
  border-radius: 4px; padding: 4px 8px; }
#chat details.understood { margin-top: 8px; font-size: 0.85rem; color: var(--pa-muted); }
#chat details.understood summary { cursor: pointer; }
#chat details.understood p { margin: 4px 0 0 14px; font-style: italic; }
#chat .typing { color: var(--pa-muted); }
#ask-bar { align-items: stretch; margin-top: 8px; gap: 8px; }
#ask-bar textarea { font-size: 1rem; }
.ask-error { color: #9f1c12; background: #fdeceb; border: 1px solid #f3b8b2; padding: 8px 12px;
  border-radius: 6px; font-size: 0.9rem; margin-top: 6px; }
#chat-column { position: relative; }
#feedback-box { margin-top: 8px; padding: 6px 8px; align-items: center; gap: 8px; flex-wrap: nowrap;
  background: var(--pa-accent-soft); border-radius: 6px; }
#feedback-box[data-beside] { position: absolute; top: var(--pa-feedback-top, 0); left: 24px; right: 24px; z-index: 20;
  margin: 0; width: auto !important; border: 1px solid var(--pa-border); box-shadow: 0 2px 10px rgba(0, 0, 0, 0.15); }
#question-column { position: relative; gap: 0 !important; }
#ask-error { position: absolute; left: 0; right: 0; bottom: calc(100% + 6px); z-index: 25; margin: 0;
  width: auto !important; min-width: 0 !important; }
#ask-error .ask-error { box-shadow: 0 2px 8px rgba(0, 0, 0, 0.12); }
.delete-text { font-size: 0.88rem; color: #9f1c12; }
#delete-confirm { align-items: center; gap: 8px; background: #fdeceb; border-radius: 6px; padding: 6px 10px; }
#feedback-note { flex: none !important; min-width: 0 !important; width: auto !important; }
.fb-thanks { font-size: 0.86rem; color: var(--body-text-color); white-space: nowrap; padding: 0 4px; }
#toolbar { align-items: center; gap: 8px; flex-wrap: wrap; min-height: 34px; }
@media (max-width: 1180px) { #briefing-label { display: none !important; } }
#toolbar > * { flex: none !important; }
#toolbar > #toolbar-spacer { flex: 1 1 0 !important; min-width: 0 !important; }
#briefing-label { min-width: 0 !important; width: auto !important; }
.toolbar-label { font-size: 0.85rem; font-weight: 600; color: var(--pa-muted); white-space: nowrap; }
#briefing-latest { flex: none !important; width: auto !important; padding: 0 4px !important; border: none !important;
  background: transparent !important; box-shadow: none !important; font-size: 0.85rem; }
#briefing-latest label { white-space: nowrap; }
.filter-banner { background: var(--pa-warn-bg); color: var(--pa-warn); border-radius: 6px; padding: 5px 12px;
  font-size: 0.86rem; }

/* sources panel */
#sources-panel { max-height: calc(100vh - 190px); overflow-y: auto !important; padding-right: 6px; }
#sources-panel .panel-title { position: sticky; top: 0; background: var(--body-background-fill); z-index: 1;
  padding-bottom: 4px; }
.sources-turn-q { font-size: 0.85rem; color: var(--pa-muted); margin: 2px 0 8px; }
.sources-count { font-weight: 700; color: var(--body-text-color); }
.sources-empty { color: var(--pa-muted); font-size: 0.9rem; padding: 12px 14px; border: 1px dashed var(--pa-border);
  border-radius: 6px; line-height: 1.5; background: var(--pa-card); }
.sources-empty p { margin: 0 0 6px; }
.source { background: var(--pa-card); border: 1px solid var(--pa-border); border-left: 4px solid var(--pa-accent);
  border-radius: 6px; padding: 10px 12px; margin-bottom: 10px; scroll-margin-top: 6px; }
.source.flash { animation: pa-flash 1.8s ease-out; }
@keyframes pa-flash { 0% { box-shadow: 0 0 0 3px #ffb81c; } 100% { box-shadow: 0 0 0 3px transparent; } }
.source-head { display: flex; gap: 10px; align-items: flex-start; }
.source-n { flex: none; min-width: 24px; height: 24px; border-radius: 12px; background: var(--pa-accent); color: #fff;
  font-weight: 700; font-size: 0.8rem; display: flex; align-items: center; justify-content: center; }
.source-title { font-weight: 700; line-height: 1.3; color: var(--body-text-color); }
.source-meta { color: var(--pa-muted); font-size: 0.83rem; margin-top: 2px; }
.source-section { display: inline-block; margin: 8px 0 6px; font-size: 0.75rem; font-weight: 600; padding: 2px 8px;
  border-radius: 4px; background: var(--pa-soft); color: var(--pa-muted); }
.source-section.section-comment { background: #fdf0dc; color: #7a4300; }
.dark .source-section.section-comment { background: #3d2c12; color: #f1c27d; }
.source-section.section-other { background: #eef0f3; color: #6b7480; font-style: italic; }
#sources-panel .source-context { margin: 0 !important; padding: 8px 10px; border: none; background: var(--pa-soft); border-radius: 4px;
  white-space: pre-line; font-size: 0.88rem; line-height: 1.55; color: var(--body-text-color);
  max-height: 240px; overflow-y: auto; quotes: none; }
.source-context .pb { display: block; height: 0.55em; }
.source-context .set-aside-text { color: var(--pa-muted); font-style: italic; font-size: 0.82rem; }
.source-context mark { background: var(--pa-mark); color: inherit; padding: 1px 0; border-radius: 2px; }
.source-where { font-size: 0.78rem; color: var(--pa-muted); margin: 0 0 6px; }
.source-where .source-page { font-weight: 600; color: inherit; }
.source-file { font-size: 0.72rem; color: var(--pa-muted); margin-top: 6px; font-family: var(--font-mono);
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.source.related { border-left-color: #9aa4b1; }
.source.related .source-heading { margin-bottom: 2px; }
.related-note { font-size: 0.86rem; color: var(--pa-muted); background: var(--pa-soft); border-radius: 6px;
  padding: 8px 10px; margin-bottom: 10px; }
details.earlier { margin-top: 6px; border-top: 1px solid var(--pa-border); padding-top: 6px; }
details.earlier > summary { cursor: pointer; color: var(--pa-accent); font-weight: 600; font-size: 0.88rem; margin: 4px 0 8px; }
details.earlier .sources-turn { margin-bottom: 8px; }

/* library */
.lib-summary { color: var(--pa-muted); font-size: 0.88rem; margin: 2px 0 8px; }
.lib-scroll { overflow-x: auto; border: 1px solid var(--pa-border); border-radius: 6px; background: var(--pa-card); }
#library-table table.library { width: 100%; border-collapse: collapse; font-size: 0.88rem; margin: 0;
  table-layout: fixed; border: none !important; }
#library-table table.library th, #library-table table.library td { border: none !important;
  border-bottom: 1px solid var(--pa-border) !important; padding: 8px 10px; vertical-align: top; text-align: left; }
#library-table table.library th { font-weight: 700; background: var(--pa-soft); }
#library-table table.library tr { border: none !important; }
#library-table table.library tr:last-child td { border-bottom: none !important; }
#library-table table.library .num { text-align: right; }
.c-title { width: 34%; } .c-author { width: 19%; } .c-pub { width: 15%; } .c-date { width: 9%; }
.c-kind { width: 11%; } .c-num { width: 12%; }
.lib-title { font-weight: 600; }
.lib-set-aside { color: var(--pa-warn); background: var(--pa-warn-bg); font-size: 0.78rem; margin-top: 4px;
  padding: 2px 6px; border-radius: 4px; display: inline-block; }
.lib-id, .lib-role { color: var(--pa-muted); font-size: 0.78rem; margin-top: 2px; overflow-wrap: anywhere; }
.upload-report { font-size: 0.88rem; border-radius: 6px; padding: 8px 12px; margin-top: 6px; }
.upload-report ul { margin: 4px 0 0 18px; padding: 0; }
.upload-report.ok { background: #e9f6ee; color: #16502c; }
.upload-report.warn { background: var(--pa-warn-bg); color: var(--pa-warn); }
.upload-report.bad { background: #fdeceb; color: #9f1c12; }
.dark .upload-report.ok { background: #173323; color: #9ad9b0; }
.dark .upload-report.bad { background: #3b1c1a; color: #f3aaa2; }
"""

HEAD = """
<meta name="robots" content="noindex, nofollow">
<script>
(function () {
  // A click on an [n] marker brings source n into view: inside the sources panel, and the page
  // too when the panel is out of sight (at narrow widths it sits below the chat).
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a[href^="#src-"]') : null;
    if (!link) { return; }
    event.preventDefault();
    event.stopPropagation();
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    var folded = target.closest("details");
    if (folded) { folded.open = true; }
    var panel = document.getElementById("sources-panel");
    if (panel && panel.contains(target) && panel.scrollHeight > panel.clientHeight + 1) {
      var box = panel.getBoundingClientRect();
      var offset = target.getBoundingClientRect().top - box.top + panel.scrollTop - 36;
      panel.scrollTo({ top: Math.max(0, offset), behavior: "smooth" });
      if (box.top < 0 || box.top > window.innerHeight - 160) {
        window.scrollBy({ top: box.top - 8, behavior: "smooth" });
      }
    } else {
      target.scrollIntoView({ behavior: "smooth", block: "start" });
    }
    target.classList.remove("flash");
    void target.offsetWidth;
    target.classList.add("flash");
  }, true);

  // The feedback box opens beside the answer it rates: just below that message, inside the chat.
  // The message is remembered by its place in the chat, since the chat redraws it when rated.
  var rated = null;
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("#chat button") : null;
    var label = button ? (button.getAttribute("aria-label") || "") : "";
    var row = button ? button.closest(".message-row") : null;
    if ((label === "Like" || label === "Dislike") && row) {
      rated = Array.prototype.indexOf.call(document.querySelectorAll("#chat .message-row"), row);
      window.setTimeout(function () { placeFeedback(50); }, 50);
    }
  }, true);
  function placeFeedback(tries) {
    var box = document.getElementById("feedback-box");
    var chat = document.getElementById("chat");
    var column = document.getElementById("chat-column");
    var row = rated === null ? null : document.querySelectorAll("#chat .message-row")[rated];
    if (!chat || !column || !row) { return; }
    if (!box || box.offsetParent === null) {  // not drawn yet: the server is still answering the rating
      if (tries > 0) { window.setTimeout(function () { placeFeedback(tries - 1); }, 100); }
      return;
    }
    var area = chat.getBoundingClientRect();
    var at = row.getBoundingClientRect();
    var top = Math.min(Math.max(at.bottom + 4, area.top + 4), area.bottom - box.offsetHeight - 4);
    // A data attribute and a CSS variable: the page redraws the box's class and style attributes.
    box.setAttribute("data-beside", "");
    document.documentElement.style.setProperty("--pa-feedback-top", (top - column.getBoundingClientRect().top) + "px");
  }
  document.addEventListener("scroll", function () { if (rated !== null) { placeFeedback(0); } }, true);
  window.addEventListener("resize", function () { if (rated !== null) { placeFeedback(0); } });
})();
</script>
"""
