"""A static file server that compresses like a static host does (gzip), for the benchmark.

    python benchmarks/serve.py _build/html [port]

Python's http.server sends every file uncompressed, which inflates transfer sizes and the
load times Lighthouse simulates; GitHub Pages and most hosts gzip text files.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import sys
import threading
from pathlib import Path

COMPRESSIBLE = {".html", ".js", ".css", ".json", ".svg", ".txt", ".csv", ".map", ".xml", ".ttf"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real host
    disable_nagle_algorithm = True
    _cache: dict[tuple[str, float], bytes] = {}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSIBLE and path.is_file()):
            return super().send_head()
        key = (str(path), path.stat().st_mtime)
        body = self._cache.get(key)
        if body is None:
            body = self._cache[key] = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Bytes(body)


class _Bytes:
    """What send_head returns: something copyfile() can read and close()."""

    def __init__(self, data: bytes):
        self.data, self.done = data, False

    def read(self, n=-1):
        if self.done:
            return b""
        self.done = True
        return self.data

    def close(self):
        pass


def serve(directory: str | os.PathLike, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving `directory` on 127.0.0.1 in a daemon thread; return (server, base URL)."""
    handler = functools.partial(GzipHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


if __name__ == "__main__":
    httpd, url = serve(sys.argv[1] if len(sys.argv) > 1 else ".",
                       int(sys.argv[2]) if len(sys.argv) > 2 else 8000)
    print(f"serving {sys.argv[1] if len(sys.argv) > 1 else '.'} with gzip at {url}/")
    threading.Event().wait()
