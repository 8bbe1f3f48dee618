"""TLS for a PostgreSQL server not on this computer (issue 22): required, verified by default.

A server reached over a Unix socket or the loopback address is local; any other is reached
with ``sslmode=verify-full`` unless the URL asks for another mode that still encrypts
(``require``, ``verify-ca``). A mode that allows a plain connection (``disable``, ``allow``,
``prefer``) is refused with the reason; a libpq error about TLS becomes a Chinese reason.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

from app.server_errors import TlsRequired

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
ENCRYPTED_MODES = frozenset({"require", "verify-ca", "verify-full"})


def _host(url: URL) -> str:
    host = url.host or url.query.get("host") or ""
    return str(host[0] if isinstance(host, tuple) else host)


def host_of(url: str) -> str:
    """The server's host name as the URL gives it (a socket folder for a local socket)."""
    try:
        return _host(make_url(url)) or "localhost"
    except Exception:
        return "?"


def is_local(url: str | URL) -> bool:
    """True for a Unix socket (a host that is a folder, or none) or this computer's loopback."""
    host = _host(make_url(url) if isinstance(url, str) else url)
    return not host or host.startswith("/") or host.lower() in LOCAL_HOSTS


def secure_url(url: str) -> str:
    """``url`` with TLS required when the server is not local (``verify-full`` by default).

    Raises TlsRequired when the URL asks for a mode that may connect in plain text.
    """
    parsed = make_url(url)
    if is_local(parsed):
        return url
    mode = parsed.query.get("sslmode")
    if mode is None:
        parsed = parsed.update_query_dict({"sslmode": "verify-full"})
        return parsed.render_as_string(hide_password=False)
    if str(mode) not in ENCRYPTED_MODES:
        raise TlsRequired(host=_host(parsed), mode=str(mode))
    return url


def tls_problem(message: str) -> str | None:
    """The Chinese reason of a libpq error about TLS (None: not about TLS)."""
    text = message.lower()
    if "does not support ssl" in text:
        return "服务器不支持加密连接（未启用 SSL），程序不会以明文连接不在本机的服务器"
    if "certificate" in text or "root.crt" in text:
        return "无法验证服务器证书（请把签发服务器证书的根证书放到 ~/.postgresql/root.crt）"
    if "ssl" in text:
        return "加密连接（TLS）未能建立"
    return None
