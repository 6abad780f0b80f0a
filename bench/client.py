"""An HTTP client for the benchmarks, from the standard library: one connection per simulated
client, the cookies of one signed-in user, the headers a TLS-terminating proxy adds.

gunicorn sees plain HTTP from 127.0.0.1; the portal runs with DJANGO_BEHIND_PROXY=true, so
`X-Forwarded-Proto: https` makes it treat every request as HTTPS (no redirect, Secure cookies
issued). The cookies are kept here by hand, since a cookie jar would not send Secure cookies
over http.
"""

import html
import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN_PATH = "/accounts/login/"


class SignInError(RuntimeError):
    pass


@dataclass
class Session:
    """The cookies of one visitor (anonymous or signed in), shared by the threads that
    request as that visitor, as a browser's tabs share them."""

    host: str
    port: int
    username: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def headers(self, extra: dict | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "uz"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(header)
            with self.lock:
                for name, morsel in parsed.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value


@dataclass
class Answer:
    status: int
    seconds: float
    size: int
    queries: int | None
    headers: http.client.HTTPMessage
    body: bytes = b""


class Connection:
    """One client's connection. gunicorn's sync workers close every connection after its
    answer; http.client then opens a new one for the next request, so a figure includes a
    loopback connect (well under a millisecond), for the trivial view as for every page."""

    def __init__(self, session: Session, *, timeout: float = 300):
        self.session = session
        self.http = http.client.HTTPConnection(session.host, session.port, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        keep_body: bool = True,
    ) -> Answer:
        """Time to the last byte of the answer. The body is read in chunks and kept only when
        asked for, so a large export is not held in memory."""
        sent = self.session.headers(headers)
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.http.request(method, path, body=body, headers=sent)
                response = self.http.getresponse()
                chunks, size = [], 0
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    if keep_body:
                        chunks.append(chunk)
                seconds = time.perf_counter() - start
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: once more, anew.
                self.http.close()
                if attempt == 2:
                    raise
        self.session.remember(response)
        count = response.headers.get("X-Query-Count")
        return Answer(
            status=response.status,
            seconds=seconds,
            size=size,
            queries=int(count) if count is not None else None,
            headers=response.headers,
            body=b"".join(chunks),
        )

    def get(self, path: str, *, keep_body: bool = True) -> Answer:
        return self.request("GET", path, keep_body=keep_body)


def sign_in(session: Session, password: str) -> None:
    """Signs in through the real login page, as a browser does: the form for its CSRF token,
    then the POST. Tried once: repeated failures would lock the user out (django-axes)."""
    connection = Connection(session, timeout=60)
    try:
        page = connection.get(LOGIN_PATH)
        if page.status != 200:
            raise SignInError(f"{LOGIN_PATH} answered {page.status}")
        match = CSRF_INPUT.search(page.body.decode())
        if not match:
            raise SignInError("no CSRF token in the login form")
        form = urlencode(
            {
                "csrfmiddlewaretoken": html.unescape(match[1]),
                "username": session.username,
                "password": password,
                "next": "",
            }
        ).encode()
        answer = connection.request(
            "POST",
            LOGIN_PATH,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                # The CSRF check of an HTTPS request compares the Origin with the host.
                "Origin": session.origin,
                "Referer": session.origin + LOGIN_PATH,
            },
        )
        location = answer.headers.get("Location", "")
        if (
            answer.status != 302
            or location.startswith(LOGIN_PATH)
            or "sessionid" not in (session.cookies)
        ):
            raise SignInError(f"sign-in of {session.username} refused ({answer.status})")
    finally:
        connection.close()
