"""Suggested mentors (strength, free places, team) and the leads' "who needs help" pairing."""
import pytest

from accounts.services import deactivate_user
from errors import Invalid
from extensions import db
from mentoring.mentorships import services as mentorships
from tests.factories import loaded, make_user, refs
from tests.factories_mentoring import make_category, make_desk, make_profile, plant, start_mentorship


@pytest.fixture(scope="module")
def desk_refs(module_transaction):
    with module_transaction.app_context():
        people = make_desk()
        people["billing"] = make_category("billing")
        people["internet"] = make_category("internet")
        return refs(people)


@pytest.fixture
def desk(ctx, desk_refs):
    """make_desk's people and the billing and internet categories
    (built once for the module, loaded again in each test, whose changes are rolled back)."""
    return loaded(desk_refs)


def order(category, mentee):
    return [item.user.username for item in mentorships.suggest_mentors(category, mentee)]


def test_stronger_mentor_comes_first(desk):
    plant("ana", "billing", 40, 38)
    plant("fay", "billing", 40, 30)
    make_profile(desk["fay"], [desk["billing"]])
    make_profile(desk["ana"], [desk["billing"]])
    plant("ben", "billing", 40, 34)  # a ranked agent without a profile is never suggested
    assert order(desk["billing"], desk["cy"]) == ["ana", "fay"]


def test_more_free_places_come_first_between_equally_strong_mentors(desk):
    for name in ("ana", "ben"):
        plant(name, "billing", 40, 36)
    make_profile(desk["ana"], [desk["billing"]], capacity=1)
    make_profile(desk["ben"], [desk["billing"]], capacity=3)
    suggestions = mentorships.suggest_mentors(desk["billing"], desk["fay"])
    assert suggestions[0].score == suggestions[1].score
    assert [item.user.username for item in suggestions] == ["ben", "ana"]
    assert [item.remaining_capacity for item in suggestions] == [3, 1]


def test_same_team_comes_first_between_equally_strong_mentors(desk):
    plant("fay", "billing", 40, 36)
    plant("ben", "billing", 40, 36)
    make_profile(desk["fay"], [desk["billing"]])
    make_profile(desk["ben"], [desk["billing"]])
    # "ben" sorts after "fay" by name; being on mia's team puts him first.
    suggestions = mentorships.suggest_mentors(desk["billing"], desk["mia"])
    assert [(item.user.username, item.same_team) for item in suggestions] == [("ben", True), ("fay", False)]


def test_a_much_stronger_mentor_from_another_team_beats_a_weak_teammate(desk):
    plant("fay", "billing", 40, 40)
    plant("ben", "billing", 40, 25)
    make_profile(desk["fay"], [desk["billing"]])
    make_profile(desk["ben"], [desk["billing"]])
    assert order(desk["billing"], desk["mia"]) == ["fay", "ben"]


def test_a_mentor_without_enough_contacts_is_listed_after_the_ranked_ones(desk):
    plant("ana", "billing", 40, 30)
    plant("ben", "billing", 10, 10)
    make_profile(desk["ben"], [desk["billing"]])
    make_profile(desk["ana"], [desk["billing"]])
    suggestions = mentorships.suggest_mentors(desk["billing"], desk["fay"])
    assert [(item.user.username, item.score is None) for item in suggestions] == [("ana", False), ("ben", True)]


def _exclude_self(desk):
    return desk["ana"]


def _exclude_full(desk):
    start_mentorship(desk["ben"], desk["cy"], desk["billing"])
    return desk["mia"]


def _exclude_inactive_user(desk):
    deactivate_user(desk["ben"])
    db.session.commit()
    return desk["mia"]


@pytest.mark.parametrize("setup, excluded", [
    (_exclude_self, "ana"),
    (_exclude_full, "ben"),
    (_exclude_inactive_user, "ben"),
])
def test_mentors_are_excluded_when_they_cannot_take_the_mentee(desk, setup, excluded):
    for name in ("ana", "ben"):
        plant(name, "billing", 40, 36)
    make_profile(desk["ana"], [desk["billing"]], capacity=1)
    make_profile(desk["ben"], [desk["billing"]], capacity=1)
    mentee = setup(desk)
    names = order(desk["billing"], mentee)
    assert excluded not in names and len(names) == 1


@pytest.mark.parametrize("profile_options", [
    {"active": False}, {"approved": False}, {"category": "internet"},
])
def test_profiles_that_are_paused_unapproved_or_elsewhere_are_not_suggested(desk, profile_options):
    plant("ana", "billing", 40, 36)
    category = desk[profile_options.pop("category", "billing")]
    make_profile(desk["ana"], [category], **profile_options)
    assert order(desk["billing"], desk["mia"]) == []


def test_suggestions_say_why_with_the_numbers(desk):
    plant("ben", "billing", 40, 36)
    plant("ana", "billing", 40, 30)
    make_profile(desk["ben"], [desk["billing"]], capacity=2)
    best = mentorships.suggest_mentors(desk["billing"], desk["mia"])[0]
    body = best.as_json()
    assert body["username"] == "ben" and body["rank"] == 1 and body["percentile"] == 100.0
    assert body["remaining_capacity"] == 2 and body["same_team"] is True and body["contacts"] == 40
    assert body["fcr"] == 0.9
    reasons = " ".join(body["reasons"])
    assert "rank 1 of 2" in reasons and "FCR 90%" in reasons and "40 contacts" in reasons
    assert "2 free places" in reasons and "Same team (Desk)" in reasons


def test_an_unknown_category_is_refused(desk):
    with pytest.raises(Invalid) as caught:
        mentorships.suggest_mentors("no-such-thing", desk["mia"])
    assert "category" in caught.value.fields


def test_agents_well_below_the_median_are_paired_with_the_best_available_mentor(desk):
    plant("ana", "billing", 40, 38)
    plant("ben", "billing", 40, 36)
    plant("cy", "billing", 40, 34)
    plant("mia", "billing", 40, 24)
    plant("fay", "billing", 10, 1)  # too few contacts to judge
    make_profile(desk["ana"], [desk["billing"]])
    needs = mentorships.agents_needing_help()
    assert [(need.user.username, need.category.slug) for need in needs] == [("mia", "billing")]
    need = needs[0]
    assert need.main_lag.metric == "fcr" and need.main_lag.value == 0.6
    assert need.main_lag.median == pytest.approx(0.875)
    assert need.mentor.user.username == "ana"


def test_a_mentor_is_not_proposed_for_more_agents_than_free_places(desk):
    plant("ana", "billing", 40, 38)
    plant("ben", "billing", 40, 37)
    plant("lead2", "billing", 40, 37)
    plant("mia", "billing", 40, 20)
    plant("cy", "billing", 40, 24)
    make_profile(desk["ana"], [desk["billing"]], capacity=1)
    needs = mentorships.agents_needing_help()
    assert [need.user.username for need in needs] == ["mia", "cy"]  # largest gap first
    assert needs[0].mentor.user.username == "ana" and needs[1].mentor is None


def test_an_agent_already_mentored_shows_the_mentorship_instead_of_a_pairing(desk):
    plant("ana", "billing", 40, 38)
    plant("ben", "billing", 40, 36)
    plant("mia", "billing", 40, 22)
    make_profile(desk["ana"], [desk["billing"]])
    current = start_mentorship(desk["ana"], desk["mia"], desk["billing"])
    need = mentorships.agents_needing_help()[0]
    assert need.mentorship.id == current.id and need.mentor is None


def test_the_team_filter_keeps_only_that_teams_agents(desk):
    plant("ana", "billing", 40, 38)
    plant("ben", "billing", 40, 36)
    plant("mia", "billing", 40, 22)
    plant("fay", "billing", 40, 22)
    far = desk["fay"].team
    assert [need.user.username for need in mentorships.agents_needing_help(team=far)] == ["fay"]


def test_a_lead_without_contacts_can_mentor_but_is_not_ranked(desk):
    outsider = make_user("zed", role="lead")
    plant("ana", "billing", 40, 38)
    make_profile(outsider, [desk["billing"]])
    make_profile(desk["ana"], [desk["billing"]])
    assert order(desk["billing"], desk["mia"]) == ["ana", "zed"]
