"""The scope matrix: every page route and every API operation, requested as every role on an
object inside and one outside the role's scope, against the expected outcomes written in
scope_matrix_pages.csv and scope_matrix_api.csv beside this file.

A cell of a table is `in|out`: the outcome on the object just inside the role's scope and on
the one just outside it (tests/security/scope.py says which objects those are); one value
stands for both, and for routes that take no object. Outcomes are HTTP status codes, except
`login` (a redirect to the sign-in page, the portal's or the Django admin's). Unsafe methods
are sent with an empty body and no CSRF token. Beyond the status, every request checks that:

- a refusal (401, 403, 404, 405, login) of an unsafe method wrote nothing to the database;
- no response, whatever its status, holds personal data the role may not read
  (scope.PERSONAL_DATA_PLACES);
- no request answers 500.

A route or an operation missing from its table fails the completeness tests, and so does a
row whose route no longer exists. The Django admin's generated routes are covered by the one
`admin:*` row, checked against each of them.
"""

from __future__ import annotations

import copy
import csv
import functools
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import User
from tests.security.scope import (
    HOME,
    ROLE_USERS,
    ROLES,
    SCOPE_PLACES,
    ScopeObjects,
    forbidden_personal_data,
)

HERE = Path(__file__).parent
PAGES_TABLE = HERE / "scope_matrix_pages.csv"
API_TABLE = HERE / "scope_matrix_api.csv"
ADMIN_RULE = "admin:*"
# The admin's own sign-in and sign-out pages answer everyone: ordinary rows, not the rule.
ADMIN_OWN_ROWS = frozenset({"admin:login", "admin:logout"})
# Answers that refuse the request: after one of them nothing may have been written.
REFUSALS = frozenset({"401", "403", "404", "405", "login"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Written by every request whatever it does (the session of a signed-in client).
UNTRACKED_TABLES = frozenset({"django_session"})
LOGIN_PATHS = frozenset({"/accounts/login/", "/admin/login/"})


# --- the tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a table: a route (a URL name, or `METHOD path` for the API) requested with
    one method, on objects of one kind (`-`: none), and the expected outcome per role."""

    table: str
    route: str
    method: str
    kind: str
    expected: dict[str, tuple[str, str]]

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def _cell(value: str) -> tuple[str, str]:
    inside, _, outside = value.strip().partition("|")
    return inside, outside or inside


def read_table(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as file:
        lines = [line for line in file if line.strip() and not line.startswith("#")]
    rows = []
    for line in csv.DictReader(lines):
        if path == API_TABLE:
            route, method = line["path"], line["method"]
        else:
            route, method = line["route"], line["method"]
        rows.append(
            Row(
                table=path.name,
                route=route,
                method=method,
                kind=line["object"],
                expected={role: _cell(line[role]) for role in ROLES},
            )
        )
    return rows


PAGE_ROWS = read_table(PAGES_TABLE)
API_ROWS = read_table(API_TABLE)


# --- what the project has -------------------------------------------------------------------


def _walk(resolver, prefix="", namespace=None):
    """(name, pattern, full route) of every pattern; an unnamed one is named by its route."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name or route
            yield (f"{namespace}:{name}" if namespace else name), pattern, route


@functools.cache
def url_patterns() -> dict[str, URLPattern]:
    """Every page route by name (the first pattern of a name: the API router repeats each
    with a format suffix). API operations are enumerated from the schema instead; of the
    API's patterns only its root, which the schema leaves out, is a page route."""
    routes: dict[str, URLPattern] = {}
    for name, pattern, _route in _walk(get_resolver()):
        if name.startswith("api:") and name != "api:api-root":
            continue
        routes.setdefault(name, pattern)
    return routes


def admin_urls() -> list[str]:
    """A URL for every route of the Django admin, arguments filled with placeholders (an
    app's label, object 1; the catch-all route gets a path no admin page has)."""
    app_label = next(iter(admin.site._registry))._meta.app_label
    urls = []
    for name, pattern, route in _walk(get_resolver()):
        if not name.startswith("admin:") or name in ADMIN_OWN_ROWS:
            continue
        regex = pattern.pattern.regex
        if pattern.name and regex.groups > len(regex.groupindex):
            # Positional arguments (simple_history's object history pages).
            urls.append(reverse(name, args=["1"] * regex.groups))
        elif pattern.name:
            kwargs = {key: app_label if key == "app_label" else "1" for key in regex.groupindex}
            urls.append(reverse(name, kwargs=kwargs))
        elif "(?P<url>" in route:
            urls.append("/admin/scope-matrix/")
        else:
            urls.append("/" + re.sub(r"<[^>]+>", "1", route))
    return urls


def api_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_page_route_has_a_row():
    routes = {
        name for name in url_patterns() if not name.startswith("admin:") or name in ADMIN_OWN_ROWS
    }
    in_table = {row.route for row in PAGE_ROWS if row.method == "GET"}
    missing = sorted(routes - in_table)
    gone = sorted(in_table - routes - {ADMIN_RULE})
    assert not missing, f"Page routes without a GET row in {PAGES_TABLE.name}: {missing}"
    assert not gone, f"Rows of {PAGES_TABLE.name} for routes that no longer exist: {gone}"
    assert ADMIN_RULE in in_table, f"{PAGES_TABLE.name} lost its {ADMIN_RULE} rule"


def test_every_api_operation_has_a_row():
    operations = api_operations()
    in_table = {(row.method, row.route) for row in API_ROWS}
    missing = sorted(operations - in_table)
    gone = sorted(in_table - operations)
    assert not missing, f"API operations without a row in {API_TABLE.name}: {missing}"
    assert not gone, f"Rows of {API_TABLE.name} for operations that no longer exist: {gone}"


def test_tables_are_well_formed():
    known_kinds = {"-"} | {
        name[1:].replace("_", "-") for name in dir(ScopeObjects) if name.startswith("_")
    }
    seen = set()
    for row in PAGE_ROWS + API_ROWS:
        assert (row.table, row.id) not in seen, f"{row.table}: {row.id} appears twice"
        seen.add((row.table, row.id))
        assert row.kind in known_kinds, f"{row.table}: {row.id} names an unknown object kind"
        for role, cell in row.expected.items():
            assert "500" not in cell, f"{row.table}: {row.id} expects a server error for {role}"


# --- requesting -----------------------------------------------------------------------------


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        return "login" if path in LOGIN_PATHS else "302"
    return str(response.status_code)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="ignore")


# Client addresses, from a random start so that a run soon after another meets no counts.
_ADDRESSES = (
    f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    for n in itertools.count(random.randrange(1 << 23))
)


def _writes() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL
    keeps the counts for the current transaction, savepoints rolled back included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {table: count for table, count in cursor.fetchall() if table not in UNTRACKED_TABLES}


class Requester:
    """Sends one request as a role, inside a savepoint rolled back afterwards, so requests
    of one test do not see each other's writes; answers (outcome, body, tables written)."""

    def __init__(self, api: bool) -> None:
        self.api = api
        self.clients: dict[str, Client] = {}

    def client(self, role: str):
        if role not in self.clients:
            client = APIClient() if self.api else Client()
            username = ROLE_USERS[role]
            if username is not None:
                user = User.objects.get(username=username)
                if self.api:
                    client.force_authenticate(user)
                else:
                    client.force_login(user)
            self.clients[role] = client
        return self.clients[role]

    def send(self, role: str, method: str, url: str) -> tuple[str, str, list[str]]:
        client = self.client(role)
        if self.api and ROLE_USERS[role] is not None:
            # A fresh user object: the permission functions keep memberships on it.
            client.force_authenticate(User.objects.get(username=ROLE_USERS[role]))
        unsafe = method not in SAFE_METHODS
        before = _writes() if unsafe else {}
        cookies = client.cookies
        client.cookies = copy.deepcopy(cookies)
        savepoint = transaction.savepoint()
        try:
            send = getattr(client, method.lower())
            # Each request from its own address: rate limits (resident feedback, throttles)
            # count per address, and would otherwise answer 429 to the later roles.
            address = {"REMOTE_ADDR": next(_ADDRESSES)}
            if method in SAFE_METHODS:
                response = send(url, **address)
            elif self.api:
                response = send(url, {}, format="json", **address)
            else:
                response = send(url, {}, **address)
            outcome, body = _outcome(response), _body(response)
        except Exception as error:  # a view that raises is a 500, reported as such
            outcome, body = "500", f"{type(error).__name__}: {error}"
        finally:
            transaction.savepoint_rollback(savepoint)
            # A sign-out or a language switch must not follow the client to the next request.
            client.cookies = cookies
        after = _writes() if unsafe else {}
        written = sorted(t for t, n in after.items() if n != before.get(t, 0))
        return outcome, body, written


def _page_url(route: str, values: dict) -> str:
    pattern = url_patterns()[route]
    return reverse(route, kwargs={key: values[key] for key in pattern.pattern.regex.groupindex})


def _requests_of(rows: list[Row]):
    for row in rows:
        if row.kind == "-":
            continue
        for role in ROLES:
            yield row.kind, role, True
            if row.kind not in ScopeObjects.SINGLE_KINDS:
                yield row.kind, role, False


@dataclass
class Matrix:
    objects: ScopeObjects
    pages: Requester
    api: Requester


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The objects and the signed-in clients, made once for the module inside a transaction
    rolled back at its end (each test's own transaction is a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        objects = ScopeObjects()
        objects.build(_requests_of(PAGE_ROWS + API_ROWS))
        matrix = Matrix(objects, Requester(api=False), Requester(api=True))
        for role in ROLES:
            matrix.pages.client(role)
            matrix.api.client(role)
        yield matrix
        transaction.set_rollback(True)


def check_row(matrix: Matrix, row: Row, api: bool) -> None:
    objects = matrix.objects
    requester = matrix.api if api else matrix.pages
    problems = []
    for role in ROLES:
        forbidden = forbidden_personal_data(objects, role)
        places = SCOPE_PLACES[role]
        for index, in_scope in enumerate((True, False)):
            if not in_scope and (row.kind in ScopeObjects.SINGLE_KINDS or row.kind == "-"):
                break
            expected = row.expected[role][index]
            values = (
                objects.values(row.kind, places[index], role, in_scope) if row.kind != "-" else {}
            )
            url = row.route.format(**values) if api else _page_url(row.route, values)
            outcome, body, written = requester.send(role, row.method, url)
            where = f"{role} {'in' if in_scope else 'out of'} scope, {row.method} {url}"
            if outcome != expected:
                detail = body[:300] if outcome == "500" else ""
                problems.append(f"{where}: expected {expected}, got {outcome} {detail}")
            if outcome in REFUSALS and row.method not in SAFE_METHODS and written:
                problems.append(f"{where}: refused ({outcome}) but wrote to {written}")
            leaked = [datum for datum in forbidden if any(v in body for v in datum.values)]
            if leaked:
                problems.append(
                    f"{where}: personal data the role may not read: "
                    + ", ".join(f"{d.kind} ({d.place})" for d in leaked)
                )
    assert not problems, f"{row.table}, {row.id}:\n  " + "\n  ".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in PAGE_ROWS if r.route != ADMIN_RULE], ids=lambda r: r.id)
def test_page_route_scope(matrix, row):
    check_row(matrix, row, api=False)


@pytest.mark.django_db
@pytest.mark.parametrize("row", API_ROWS, ids=lambda r: r.id)
def test_api_operation_scope(matrix, row):
    check_row(matrix, row, api=True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_routes_follow_the_admin_rule(matrix, role):
    """The `admin:*` row, against every route of the Django admin: `ok` is any answer but a
    server error or a sign-in redirect (arguments are placeholders, so a change page of
    object 1 may well redirect to the list)."""
    (rule,) = [row for row in PAGE_ROWS if row.route == ADMIN_RULE]
    expected = rule.expected[role][0]
    requester = matrix.pages
    problems = []
    for url in admin_urls():
        outcome, body, _written = requester.send(role, rule.method, url)
        matches = outcome not in ("500", "login") if expected == "ok" else outcome == expected
        if not matches:
            problems.append(f"{url}: expected {expected}, got {outcome} {body[:200]}")
    assert not problems, f"{ADMIN_RULE} as {role}:\n  " + "\n  ".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "route", "kind"),
    [
        ("inspector", "prevention:register-detail", "register-entry"),
        ("commission", "incentives:nomination-detail", "nomination"),
        ("officer_region", "incentives:social-case-detail", "social-case"),
    ],
)
def test_personal_data_reaches_those_allowed(matrix, role, route, kind):
    """The personal-data check looks for the right strings: the roles DESIGN.md §1 allows do
    receive them, on the object inside their scope."""
    place = SCOPE_PLACES[role][0]
    url = _page_url(route, matrix.objects.values(kind, place, role, True))
    outcome, body, _written = matrix.pages.send(role, "GET", url)
    expected = [d for d in matrix.objects.personal_data() if d.place == place]
    assert outcome == "200"
    assert any(all(value in body for value in datum.values) for datum in expected)


@pytest.mark.django_db
def test_the_write_check_sees_writes_rolled_back(matrix):
    """The check after a refusal counts the writes of a savepoint rolled back: an allowed
    write (marking one's notifications read) shows up in it."""
    matrix.objects.values("notification", HOME, "officer_district", True)
    _outcome_, _body, written = matrix.api.send(
        "officer_district", "POST", "/api/v1/notifications/mark-read/"
    )
    assert "accounts_notification" in written
