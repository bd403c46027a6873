"""Small builders for test data; each commits so that requests see it."""
from accounts import services as accounts
from extensions import db
from tests.conftest import DEMO_PASSWORD


def make_user(username="agent", role="agent", password=DEMO_PASSWORD, team=None, **kw):
    """Create and commit a user (needs an application context)."""
    user = accounts.create_user(username, role=role, password=password, team=team, **kw)
    db.session.commit()
    return user


def make_token(user):
    token = accounts.issue_api_token(user)
    db.session.commit()
    return token


def flush_reads(app):
    """Write what the requests so far buffered (query log, views, opens), in the test's own
    transaction, as the read buffer's thread would in one of its own (core/read_buffer.py)."""
    from core.read_buffer import flush_read_buffers
    with app.app_context():
        written = flush_read_buffers(app, db.session)
        db.session.commit()
    return written


def bearer(token):
    return {"Authorization": "Bearer " + token}


def refs(objects):
    """{name: (model, id)} for a dict of stored rows, to load them again in a later session."""
    return {name: (type(row), row.id) for name, row in objects.items()}


def loaded(references):
    """The rows of `refs(...)`, from the current session."""
    return {name: db.session.get(model, row_id) for name, (model, row_id) in references.items()}
