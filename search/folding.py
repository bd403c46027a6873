"""One result per group: the versions of one document in several languages, found together,
are shown as one entry with the others beneath it.

Search knows no domain: a document may name a `group` (kb gives the translations of one article
the same group). Both engines rank the documents without a group as before and hand every
matching document of a group here, with its group and language (few: only translated articles
have one). Each group found becomes one entry, ranked where its best match ranks and showing
the version in the reader's language when that one matched, else the best-scoring one; the
total counts entries, not documents.
"""
from dataclasses import dataclass

GROUP_FIELD = "group"


@dataclass(frozen=True)
class Entry:
    """One line of the result list: an engine's document number, its rank score, and the
    document numbers of the other versions of its group that matched, best first."""

    doc: int
    score: float
    others: tuple[int, ...] = ()


@dataclass(frozen=True)
class AlsoIn:
    """Another language version of a result, shown beneath it."""

    key: str
    id: int
    title: str
    lang: str


def fold_groups(top, grouped, limit, reader_lang=None):
    """(entries best first, at most `limit`; how many groups matched).

    :param top: (doc, score) of the best matches without a group, best first (at most `limit`).
    :param grouped: (doc, score, group, lang) of every match that has a group.
    """
    groups = {}
    for doc, score, group, lang in grouped:
        groups.setdefault(group, []).append((doc, score, lang))
    entries = [Entry(doc, score) for doc, score in top]
    for members in groups.values():
        members.sort(key=lambda member: (-member[1], member[0]))
        shown = next((member for member in members if reader_lang and member[2] == reader_lang), members[0])
        entries.append(Entry(shown[0], members[0][1],
                             tuple(member[0] for member in members if member is not shown)))
    entries.sort(key=lambda entry: (-entry.score, entry.doc))  # as the engines break ties
    return entries[:limit], len(groups)


def folded_total(ranked, groups):
    """How many entries the whole result list has: its documents, each group counted once."""
    return ranked.total - len(ranked.grouped) + groups
