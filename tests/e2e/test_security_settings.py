"""Production settings (docs/SECURITY.md): what the repository's config sets, and what the
server does with a cross-origin WebSocket."""

from __future__ import annotations

import base64
import os
import socket
import tomllib
import urllib.request
from pathlib import Path

from .conftest import Serve
from .server import ROOT, AppServer

CONFIG = ROOT / ".streamlit" / "config.toml"
EVIL = "http://evil.example"


def config() -> dict[str, dict[str, object]]:
    with CONFIG.open("rb") as f:
        return tomllib.load(f)


def websocket_status(server: AppServer, origin: str | None) -> int:
    """The HTTP status of a WebSocket handshake on Streamlit's stream from ``origin``."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: streamlit",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = s.recv(200).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def test_config_keeps_xsrf_protection_on_and_traces_hidden() -> None:
    cfg = config()
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["headless"] is True
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["browser"]["gatherUsageStats"] is False


def test_config_refuses_cross_origin_access() -> None:
    """enableCORS = false would make Streamlit 1.67 send Access-Control-Allow-Origin: * and
    accept a WebSocket from any origin (docs/SECURITY.md §2)."""
    assert config()["server"]["enableCORS"] is True


def test_the_recommended_settings_refuse_another_origin_and_serve_our_own(
    serve: Serve, tmp_path: Path
) -> None:
    server = serve(
        "cors",
        f"sqlite:///{tmp_path / 'ube.db'}",
        extra_args=[
            "--server.enableCORS=true",
            "--server.corsAllowedOrigins=https://ube.example.org",
        ],
    )
    assert websocket_status(server, EVIL) == 403
    assert websocket_status(server, "https://ube.example.org") == 101
    assert websocket_status(server, server.url) == 101
    with urllib.request.urlopen(server.url + "/_stcore/health", timeout=10) as r:
        assert r.read() == b"ok"
        # XSRF protection on: Streamlit hands out its token cookie.
        assert "_streamlit_xsrf=" in (r.headers.get("Set-Cookie") or "")
        assert r.headers.get("Access-Control-Allow-Origin") is None
    # The server listens on the loopback interface only.
    assert server.proc is not None
    log = server.log_text()
    assert "127.0.0.1" in log and "0.0.0.0" not in log
