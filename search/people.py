"""The people picker: active colleagues whose username or display name starts, or has a word
that starts, with what was typed, in any of the four scripts.

Names are folded as the search index folds text (search/analysis.py): case and accents,
Persian and Arabic letter variants (ي/ی, ك/ک, ة/ه, harakat and tatweel dropped), Thai cut into
dictionary words. A name is kept as the run of its words from each word on, spaces left out,
so "لنا" finds "لنا لید", "lead" finds "Lena Lead" and a Thai name is found from any of its
words even though Thai writes no spaces. The folded forms of a name are cached, so a keystroke
costs one pass over the active people's names and no analysis of them.
"""
import functools

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from extensions import db
from search.analysis import split_words

MAX_TYPED_CHARS = 64
MAX_PEOPLE = 10
_FOLDED_NAMES_CACHED = 65_536


@functools.lru_cache(maxsize=_FOLDED_NAMES_CACHED)
def _word_runs(text):
    """The folded text from each of its words on, spaces and punctuation left out."""
    words = [word.text for word in split_words(text)]
    return tuple("".join(words[start:]) for start in range(len(words)))


def folded_query(text):
    """What was typed, folded as names are, or "" when it holds no letters or digits."""
    return "".join(word.text for word in split_words((text or "")[:MAX_TYPED_CHARS]))


def find_people(text, limit=MAX_PEOPLE, offset=0):
    """(the active people matching `text` from `offset` on, at most `limit`, how many match).

    Those whose username starts with it come first, then by display name.
    """
    wanted = folded_query(text)
    if not wanted:
        return [], 0
    rows = db.session.execute(select(User.id, User.username, User.display_name)
                              .where(User.active.is_(True))).all()
    ranked = []
    for user_id, username, display_name in rows:
        by_username = username.startswith(wanted) or any(
            run.startswith(wanted) for run in _word_runs(username))
        if by_username or any(run.startswith(wanted) for run in _word_runs(display_name or "")):
            ranked.append((not username.startswith(wanted), (display_name or username).casefold(),
                           username, user_id))
    ranked.sort()
    page_ids = [user_id for *_key, user_id in ranked[offset:offset + limit]]
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(page_ids)).options(selectinload(User.team)))} if page_ids else {}
    return [people[user_id] for user_id in page_ids if user_id in people], len(ranked)
