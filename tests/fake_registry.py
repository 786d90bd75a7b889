"""A local stand-in for the npm registry or a CDN: serves given bytes, notes every request, can stall mid-answer."""

import http.server
import threading
import time


class FakeRegistry:
    """An HTTP server on 127.0.0.1 in a thread; use as a context manager.

    ``files`` maps paths to bodies; any other path gets ``other`` (a 200 with those bytes) or a 404 when
    ``other`` is None. ``delay`` seconds pass before each answer; with ``stall`` set, an answer stops after
    half its body until ``stall`` is cleared, and ``half_sent`` tells that it got that far.
    """

    def __init__(self, files=None, other=None, delay=0.0):
        self.files, self.other, self.delay = dict(files or {}), other, delay
        self.requests = []
        self.stall = threading.Event()
        self.half_sent = threading.Event()
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                registry.requests.append(self.path)
                body = registry.files.get(self.path, registry.other)
                time.sleep(registry.delay)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if registry.stall.is_set():
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    registry.half_sent.set()
                    while registry.stall.is_set():
                        time.sleep(0.05)
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stall.clear()
        self.server.shutdown()
        self.server.server_close()
