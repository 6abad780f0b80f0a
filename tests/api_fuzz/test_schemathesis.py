"""Property-based fuzzing of the whole REST API from its own OpenAPI schema.

Every operation of /api/schema/ is called with requests that schemathesis generates from the
schema, each signed in as a demo role drawn beside it (or anonymous). Whatever is sent, the
portal must never answer 5xx, and every answer must match what the schema documents for its
status (a file download is checked against its documented type; statuses the schema does not
document, such as 429, are not checked for their shape).

The number of generated requests per operation comes from HAMKORLIK_FUZZ_EXAMPLES, small by
default so that the suite stays quick; generation is derandomized, so a failure seen in CI
comes back the same on any machine. The run ends with the count of requests sent per role.
"""

import functools
import os

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, close_old_connections, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from accounts.models import User

MAX_EXAMPLES = int(os.environ.get("HAMKORLIK_FUZZ_EXAMPLES", "15"))

# Every demo role, and no one signed in (None).
ROLES = [
    None,
    "admin",
    "council",
    "officer.republic",
    "officer.region",
    "officer.district",
    "inspector",
    "commission",
    "ngo.admin",
    "ngo.staff",
]

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]

# The rows behind the path parameters, so that most generated requests reach a real object
# (a random id only ever answers 404). Keyed by the first segment after /api/v1/; a path with
# a second parameter names its row model and how each parameter is read from that row.
OBJECT_MODELS = {
    "activities": "partnership.JointActivity",
    "agreements": "partnership.Agreement",
    "amount-rules": "incentives.AmountRule",
    "award-register": "incentives.Nomination",
    "awards": "incentives.Nomination",
    "bcv": "incentives.BaseCalculationValue",
    "commissions": "incentives.Commission",
    "feedback": "prevention.ResidentFeedback",
    "funds": "incentives.Fund",
    "incentive-grounds": "incentives.IncentiveGround",
    "incentive-types": "incentives.IncentiveType",
    "information-requests": "partnership.InformationRequest",
    "inspectors": "prevention.Inspector",
    "meetings": "prevention.AccountabilityMeeting",
    "nominations": "incentives.Nomination",
    "notifications": "accounts.Notification",
    "obligations": "partnership.Obligation",
    "organisations": "partnership.Organisation",
    "periods": "prevention.PeriodApproval",
    "questions": "prevention.MeetingQuestion",
    "records": "prevention.PreventionRecord",
    "register-entries": "prevention.RegisterEntry",
    "registry": "partnership.Agreement",
    "report-runs": "accountability.ReportRun",
    "reports": "accountability.PublicReport",
    "rollups": "accountability.RollUp",
    "social-cases": "incentives.SocialProtectionCase",
    "staff": "accounts.Membership",
    "territories": "mahalla.Territory",
    "units": "prevention.Unit",
    "users": "accounts.User",
}
NESTED_OBJECTS = {
    "/api/v1/activities/{id}/evidence/{file_pk}/": (
        "partnership.ActivityEvidence",
        {"id": "activity_id", "file_pk": "pk"},
    ),
    "/api/v1/agreements/{id}/documents/{file_pk}/": (
        "partnership.AgreementDocument",
        {"id": "agreement_id", "file_pk": "pk"},
    ),
    "/api/v1/information-requests/{id}/attachments/{file_pk}/": (
        "partnership.RequestAttachment",
        {"id": "request_id", "file_pk": "pk"},
    ),
    "/api/v1/nominations/{id}/evidence/{file_pk}/": (
        "incentives.NominationEvidence",
        {"id": "nomination_id", "file_pk": "pk"},
    ),
    "/api/v1/indicators/{code}/": ("accountability.Indicator", {"code": "code"}),
    "/api/v1/posts/{public_key}/feedback/": ("prevention.Unit", {"public_key": "public_key"}),
}
# How many rows per model the generated requests pick from.
SAMPLED_ROWS = 20

# Loaded when the module is collected: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    get_wsgi_application(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            # Generated requests only (the schema has no examples of its own); the role of
            # each one is drawn beside it.
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
        }
    ),
)


def rows_key(path: str) -> str | None:
    if path in NESTED_OBJECTS:
        return path
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    return segment if segment in OBJECT_MODELS else None


@functools.cache
def real_rows() -> dict[str, list[dict[str, str]]]:
    """Path parameter values of real rows, per `rows_key`.

    The demo set is loaded once per session and every test is rolled back, so the rows are the
    same for every test.
    """
    rows_by_key = {}
    for segment, label in OBJECT_MODELS.items():
        ids = apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)
        rows_by_key[segment] = [{"id": str(pk)} for pk in ids[:SAMPLED_ROWS]]
    for path, (label, fields) in NESTED_OBJECTS.items():
        rows = (
            apps.get_model(label)
            .objects.exclude(**{f"{field}__isnull": True for field in fields.values()})
            .order_by("pk")
            .values(*fields.values())[:SAMPLED_ROWS]
        )
        rows_by_key[path] = [
            {name: str(row[field]) for name, field in fields.items()} for row in rows
        ]
    return rows_by_key


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the generated paths name a real row (in the caller's scope or not); the others
    keep what the schema generated. Drawn inside the test, where the database is open."""
    key = rows_key(context.operation.path)
    if key is None or not path_parameters:
        return st.just(path_parameters)
    rows = [row for row in real_rows()[key] if set(row) == set(path_parameters)]
    if not rows:
        return st.just(path_parameters)
    return st.one_of(st.sampled_from(rows), st.just(path_parameters))


@pytest.fixture
def tokens(db) -> dict[str, str]:
    """An API token of each signed-in role, made in this test's transaction."""
    users = User.objects.filter(username__in=[role for role in ROLES if role])
    return {user.username: Token.objects.get_or_create(user=user)[0].key for user in users}


@pytest.fixture
def in_process_requests(settings, tmp_path):
    """Requests go through the WSGI handler inside the test's transaction: the handler must not
    close the database connection at the end of each request (as Django's test client, too,
    prevents). Uploads land in this test's own folder, not in the shared media root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("in_process_requests")
@schema.given(role=st.sampled_from(ROLES))
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Generating from large request schemas is slow on a shared CI machine; that is no failure.
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, role, tokens, generated_requests):
    headers = {"Authorization": f"Token {tokens[role]}"} if role else {}
    # Each request runs in a savepoint rolled back after it, so that every generated request
    # meets the same demo data, and one that broke the transaction is caught right there.
    with transaction.atomic():
        response = case.call(headers=headers)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            pytest.fail(f"{case.method} {case.formatted_path} left the transaction broken: {error}")
        transaction.set_rollback(True)
    generated_requests[role or "anonymous"] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_every_path_parameter_draws_real_rows():
    """A new route with an object in its path is added to OBJECT_MODELS or NESTED_OBJECTS,
    or the fuzzer would only ever reach its 404."""
    paths = {result.ok().path for result in schema.get_all_operations()}
    assert [path for path in paths if "{" in path and rows_key(path) is None] == []
    assert set(NESTED_OBJECTS) <= paths
