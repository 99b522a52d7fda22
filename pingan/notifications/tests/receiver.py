"""A local webhook receiver for delivery tests (notifications, 12345/110 callbacks, the
SMS gateway)."""

from __future__ import annotations

import http.server
import threading


class Receiver:
    """An HTTP receiver on 127.0.0.1 that answers 500 to the first `failures` posts and
    `answer` (a JSON body) to the others."""

    def __init__(self, failures: int, path: str = "/hook") -> None:
        self.failures = failures
        self.answer = b"{}"
        self.posts: list[tuple[dict, bytes, int]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = 500 if len(receiver.posts) < receiver.failures else 200
                receiver.posts.append((dict(self.headers), body, code))
                self.send_response(code)
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def delivered(self) -> list[tuple[dict, bytes, int]]:
        return [p for p in self.posts if p[2] == 200]
