"""The whole /api/v1, fuzzed from its own OpenAPI document (schemathesis).

Every operation the document lists is called with data generated from its schemas — valid and
invalid, boundary values, hostile strings — as an admin and as an agent. Whatever comes in, no
answer is a server error, every status is one the document declares for the operation, and every
body matches the schema declared for its status. The data the calls write is rolled back.
"""
import tempfile

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from tests.conftest import app_settings
from tests.factories import bearer, make_token, make_user
from tests.factories_kb import make_article, make_category
from tests.factories_qa import make_answer, make_question

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Examples per operation and caller: enough for schemathesis' boundary values and a spread of
# random ones, bounded so the run stays in seconds per database.
EXAMPLES = 40


@pytest.fixture(scope="module")
def callers(module_transaction):
    """Bearer headers of an admin and an agent, and content for them to act on."""
    from accounts import services as accounts
    from extensions import db
    with module_transaction.app_context():
        admin = make_user("admin", role="admin")
        lead = make_user("lead", role="lead", team="Tehran")
        agent = make_user("agent", team="Tehran")
        accounts.save_team("Tehran", "lead")
        db.session.commit()
        make_category("internet")
        make_article(agent, publisher=lead, status="published", title="Modem DSL light blinking")
        question = make_question(agent, title="Router keeps rebooting at night")
        make_answer(question, lead)
        return {"admin": bearer(make_token(admin)),
                "agent": bearer(make_token(agent))}


def _document():
    """The document as /api/v1/openapi.json serves it (it depends on the code, not the data)."""
    with tempfile.TemporaryDirectory() as instance:
        application = create_app(app_settings(instance, "sqlite://"))
        return application.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


FUZZ = hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                           suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_every_operation_answers_an_admin_as_documented(case, app, callers):
    case.call_and_validate(app=app, headers=callers["admin"], checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_operation_answers_an_agent_as_documented(case, app, callers):
    case.call_and_validate(app=app, headers=callers["agent"], checks=CHECKS)
