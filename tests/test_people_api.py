"""GET /api/v1/people, the people picker: prefix and word matches in four scripts, folded."""
import pytest

from accounts.services import save_team
from extensions import db
from search.people import find_people
from tests.factories import bearer, loaded, make_token, make_user, refs


@pytest.fixture(scope="module")
def people_refs(module_transaction):
    with module_transaction.app_context():
        people = {
            "lena": make_user("lena", role="lead", team="Desk", display_name="Lena Lead"),
            "ali": make_user("ali.karimi", team="Desk", display_name="علی کریمی"),
            "somchai": make_user("somchai", display_name="สมชาย ใจดี"),
            "zoe": make_user("zoe", display_name="Zoë Müller"),
            "leaver": make_user("leon", display_name="Leon Left"),
        }
        save_team("Desk", "lena")
        people["leaver"].active = False
        db.session.commit()
        return refs(people)


@pytest.fixture
def people(ctx, people_refs):
    return loaded(people_refs)


@pytest.fixture
def headers(people):
    token = make_token(people["zoe"])
    return bearer(token)


def usernames(client, headers, q, **params):
    response = client.get("/api/v1/people", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [person["username"] for person in response.get_json()["people"]]


@pytest.mark.parametrize("q, expected", [
    ("le", ["lena"]),  # username prefix; the inactive "leon" is never offered
    ("LEAD", ["lena"]),  # a word of the display name, any case
    ("lena le", ["lena"]),  # the name's words in order
    ("ali.k", ["ali.karimi"]),
    ("karimi", ["ali.karimi"]),  # a word of the username
    ("علی", ["ali.karimi"]),
    ("كريمي", ["ali.karimi"]),  # Arabic kaf and yeh find the Persian letters
    ("كَريمي", ["ali.karimi"]),  # harakat ignored
    ("สมชาย", ["somchai"]),
    ("ใจ", ["somchai"]),  # a Thai name from its second word, though Thai writes no space
    ("muller", ["zoe"]),  # accents folded
    ("zz", []),
])
def test_people_match_by_prefix_and_word(client, headers, q, expected):
    assert usernames(client, headers, q) == expected


def test_person_shape(client, headers):
    response = client.get("/api/v1/people?q=lena", headers=headers)
    assert response.get_json() == {"people": [{"username": "lena", "name": "Lena Lead", "role": "lead",
                                               "team": "Desk"}], "total": 1, "page": 1, "per_page": 10}


def test_username_prefix_ranks_before_name_words(people):
    make_user("dina", display_name="Dina Lemon")
    found, total = find_people("le")
    assert [person.username for person in found] == ["lena", "dina"] and total == 2


def test_pages_are_small(people, client, headers):
    for number in range(12):
        make_user("agent%02d" % number, display_name="Agent %02d" % number)
    assert len(usernames(client, headers, "agent")) == 10
    assert usernames(client, headers, "agent", page=2) == ["agent10", "agent11"]


def test_people_requires_sign_in(client, people):
    response = client.get("/api/v1/people?q=lena")
    assert response.status_code == 401


@pytest.mark.parametrize("params", [
    {}, {"q": ""}, {"q": "x" * 65}, {"q": "le", "per_page": 11}, {"q": "le", "page": 0},
    {"q": "le", "per_page": "ten"}, {"q": "a\x00b"},
])
def test_bad_input_is_a_400(client, headers, params):
    response = client.get("/api/v1/people", query_string=params, headers=headers)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["fields"]


@pytest.mark.parametrize("q", ["%", "_", "'", "...", "\u200c", "*"])
def test_punctuation_alone_finds_nobody(client, headers, q):
    assert usernames(client, headers, q) == []


def test_username_fields_and_editors_offer_the_picker(client, auth, people):
    auth.login("zoe")
    page = client.get("/recognition/kudos/new").get_data(as_text=True)
    assert 'data-people-url="/api/v1/people"' in page and "js/people.js" in page
    assert 'id="to"' in page and "data-people-picker" in page
    assert "data-mentions" in client.get("/questions/ask").get_data(as_text=True)


def test_signed_out_pages_load_no_picker(client, people):
    assert "js/people.js" not in client.get("/login").get_data(as_text=True)
