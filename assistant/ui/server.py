"""One server for the chat and the JSON API: FastAPI with the Gradio app mounted at /, run by uvicorn.

Safe by default: binds 127.0.0.1 unless told otherwise, never makes a share link, records no
run history in the browser, shows no Gradio footer, and asks for a login when
POLICY_ASSISTANT_AUTH_USERNAME and POLICY_ASSISTANT_AUTH_PASSWORD are both set (the API then
takes the same credentials over HTTP Basic).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from assistant import Settings, force_offline

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant import Assistant

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def create_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    """The FastAPI app: /api/* (with /openapi.json and /api/docs) and the chat at /."""
    force_offline()
    import gradio as gr
    from fastapi import FastAPI

    from assistant import Assistant
    from assistant.api import build_router
    from assistant.ui.app import build_blocks
    from assistant.ui.theme import CSS, HEAD, THEME

    assistant = assistant or Assistant(settings)
    login = (settings.auth_username, settings.auth_password)
    auth = login if all(login) else None
    app = FastAPI(
        title="Policy assistant API",
        version="1.0",
        description="Grounded, cited answers about health and social care integration, from the local library "
                    "only. The officers' chat is served at /.",
        docs_url="/api/docs", redoc_url=None, openapi_url="/openapi.json",
    )
    app.include_router(build_router(assistant, username=settings.auth_username, password=settings.auth_password))
    blocks = build_blocks(assistant)
    return gr.mount_gradio_app(
        app, blocks, path="/",
        auth=auth,
        auth_message="Policy assistant: please sign in." if auth else None,
        theme=THEME, css=CSS, head=HEAD,
        footer_links=[], run_history=False, show_error=False, ssr_mode=False, mcp_server=False, pwa=False,
        max_file_size=f"{max(1, int(settings.max_file_mb))}mb",
        blocked_paths=[str(Path(settings.data_dir).resolve())],
        server_name=settings.host, server_port=settings.port,
    )


class _ConsoleProgress:
    """Ingest progress as plain lines on stderr (the server log)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.total = 0
        self.done = 0
        self.chunks = 0
        self.started = time.perf_counter()

    def files_found(self, total: int) -> None:
        self.total = total
        print(f"Indexing {total} file(s) of the bundled library…", file=self.out, flush=True)

    def file_done(self, path: Path, chunks: int) -> None:
        self.done += 1
        print(f"  [{self.done}/{self.total}] {path.name}: {chunks} passages", file=self.out, flush=True)

    def embedded(self, count: int) -> None:
        self.chunks += count


def serve(settings: Settings, *, out: TextIO = sys.stderr) -> None:
    """Ingest the bundled library if the index is empty, load the model, then serve until stopped."""
    force_offline()
    import uvicorn

    from assistant import Assistant

    assistant = Assistant(settings)
    if not assistant.documents():
        print(f"The library in {settings.data_dir} is empty: indexing the bundled documents first.", file=out)
        report = assistant.ingest(progress=_ConsoleProgress(out), batch=True)  # every core: nobody is asking yet
        for problem in report.problems:
            print(f"  {'could not read' if problem.fatal else 'note'}: {problem.path}: {problem.reason}", file=out)
        print(f"Indexed {report.chunks_embedded} passages in {report.seconds:.1f} s.", file=out, flush=True)
    print("Loading the model…", file=out, flush=True)
    assistant.warm_up()
    app = create_app(settings, assistant)
    host = "[::1]" if settings.host == "::1" else settings.host
    print(f"Policy assistant: chat at http://{host}:{settings.port}/  ·  API docs at "
          f"http://{host}:{settings.port}/api/docs  (Ctrl+C to stop)", file=out, flush=True)
    if settings.host not in LOOPBACK:
        exposure = "behind a login" if settings.auth_username and settings.auth_password else "WITHOUT a login"
        print(f"Warning: listening on {settings.host}, so other machines can reach it ({exposure}).",
              file=out, flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
