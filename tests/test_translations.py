"""The interface speaks each user's language, and right-to-left languages lay out right-to-left."""
import pytest
from babel.messages.pofile import read_po

from tests.factories import make_user

SIGN_OUT = {"fa": "خروج", "ar": "تسجيل الخروج", "th": "ออกจากระบบ"}


@pytest.mark.parametrize("locale, direction", [("fa", "rtl"), ("ar", "rtl"), ("th", "ltr"),
                                               ("en", "ltr")])
def test_pages_follow_the_users_language(app, client, auth, locale, direction):
    with app.app_context():
        make_user("speaker", locale=locale)
    auth.login("speaker")
    page = client.get("/").get_data(as_text=True)
    assert 'lang="%s" dir="%s"' % (locale, direction) in page
    assert SIGN_OUT.get(locale, "Sign out") in page


@pytest.mark.parametrize("locale", ["fa", "ar", "th"])
def test_catalog_placeholders_match_their_messages(locale):
    """A translation that drops or renames a %(name)s placeholder would crash at display time."""
    import re
    with open("translations/%s/LC_MESSAGES/messages.po" % locale, "rb") as handle:
        catalog = read_po(handle)
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(placeholder.findall(ids[-1]))
        for translated in strings:
            if translated:
                assert set(placeholder.findall(translated)) <= expected | set(placeholder.findall(ids[0])), \
                    (locale, message.id)


@pytest.fixture(scope="module")
def interface_strings(tmp_path_factory):
    """Every message the code marks for translation, extracted as `make extract-messages` does."""
    import re
    import subprocess
    import sys
    from pathlib import Path
    makefile = Path("Makefile").read_text()
    options = re.search(r"pybabel extract (.*) -o translations/messages\.pot", makefile).group(1)
    template = tmp_path_factory.mktemp("catalog") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", *_split(options), "-o", str(template), "."], check=True,
                   capture_output=True)
    with open(template, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def _split(options):
    import shlex
    return shlex.split(options)


@pytest.mark.parametrize("locale", ["fa", "ar", "th"])
def test_every_interface_string_is_translated(locale, interface_strings):
    with open("translations/%s/LC_MESSAGES/messages.po" % locale, "rb") as handle:
        catalog = read_po(handle)
    translated = {message.id for message in catalog if message.id and not message.fuzzy and (
        all(message.string) if isinstance(message.string, tuple) else message.string)}
    missing = sorted(str(message_id) for message_id in interface_strings - translated)
    assert not missing, "%d untranslated in %s, e.g. %s (run make extract-messages)" % (
        len(missing), locale, missing[:3])
