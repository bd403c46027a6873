"""The demo year of resolutions: realistic, deterministic, with the intended experts on top."""
from sqlalchemy import func, select

from demo.people import load_people
from demo.resolutions import CONTACTS, EXPERTS, generate_csv, load_resolutions
from extensions import db
from recognition.models import ImportBatch, ResolutionRecord
from recognition.services import rank_performers
from tests.conftest import DEMO_PASSWORD


def test_demo_file_is_the_same_for_the_same_day(clock):
    assert generate_csv(contacts=500) == generate_csv(contacts=500)


def test_demo_loads_quickly_once_with_each_category_led_by_its_experts(clock, ctx):
    load_people(DEMO_PASSWORD)
    summary = load_resolutions()
    db.session.commit()
    [batch_id] = db.session.scalars(select(ImportBatch.id)).all()
    assert summary == ["resolutions: %d contacts imported, 0 rejected (batch %d)" % (CONTACTS, batch_id)]
    for slug, experts in EXPERTS.items():
        leaders = [row.username for row in rank_performers(slug).ranked[:len(experts)]]
        assert sorted(leaders) == sorted(experts), slug
    assert load_resolutions()[0].endswith("already loaded")
    assert db.session.scalar(select(func.count(ResolutionRecord.id))) == CONTACTS
