"""A loopback HTTP proxy for fault tests: one request per connection, forwarded whole to
central, and central's whole answer handed to :meth:`AnswerProxy.change` before it goes back,
so a test can cut it, damage it or replace it (what a bad network or an older central does).
"""

from __future__ import annotations

import socket
import threading


class AnswerProxy:
    """Forwards to ``upstream`` (``http://127.0.0.1:PORT``); subclasses override ``change``."""

    def __init__(self, upstream: str) -> None:
        self.upstream_port = int(upstream.rsplit(":", 1)[1])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def change(self, request: bytes, answer: bytes) -> bytes:
        """What goes back to the client instead of central's ``answer`` (itself here)."""
        return answer

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client:
                request = read_request(client)
                with socket.create_connection(("127.0.0.1", self.upstream_port)) as up:
                    up.sendall(request)
                    answer = b""
                    while chunk := up.recv(65536):
                        answer += chunk
                client.sendall(self.change(request, answer))

    def close(self) -> None:
        self.listener.close()


def read_request(sock: socket.socket) -> bytes:
    """One whole request from ``sock``, rewritten to ``Connection: close``."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith(b"connection:")]
    length = next((int(line.split(b":", 1)[1]) for line in lines
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += sock.recv(65536)
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body
