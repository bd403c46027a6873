"""What the PostgreSQL engine stores of a document: its analysed words as a tsvector literal
(content_vector) and its postings per field with the counts BM25F needs (Analysed).

Each text is analysed once, with the analyzers of the Whoosh schema (search/index_store.py).
"""
from collections import Counter

from search.analysis import exact_analyzer, text_analyzer, title_prefix_terms
from search.pg_query import SPELLING, TITLE_BOOST, quoted
from search.snippets import snippet_source
from search.vector import word_pairs

_TEXT_ANALYZER = text_analyzer()
_EXACT_ANALYZER = exact_analyzer()
_MAX_POSITION = 16383  # tsvector positions stop there
_MAX_POSITIONS_PER_WORD = 255


def content_vector(fields) -> str:
    """The tsvector literal of a document's analysed words, fields being (words, weight letter):
    positions counted as Whoosh's content field counts them (stop words left out), and each two
    neighbouring words as one lexeme without position ("time frame", as Whoosh's pairs field),
    which the GIN index finds without reading any tsvector."""
    positions = {}
    position = 0
    content = []
    for words, weight in fields:
        content.extend(words)
        for word in words:
            position = min(position + 1, _MAX_POSITION)
            spots = positions.setdefault(word, [])
            if len(spots) < _MAX_POSITIONS_PER_WORD and (not spots or spots[-1][0] != position):
                spots.append((position, weight))
    lexemes = ["%s:%s" % (quoted(word), ",".join("%d%s" % spot for spot in spots))
               for word, spots in positions.items()]
    lexemes.extend(map(quoted, set(word_pairs(content))))
    return " ".join(lexemes)


class Analysed:
    """A document cut into what the tables hold: its row (without its number) and its postings."""

    def __init__(self, doc: dict):
        title = doc.get("title") or ""
        body = doc.get("body") or ""
        tags = " ".join(doc.get("tags") or ())
        # Whoosh's analyzers reuse one token object: read each text as it comes.
        title_words, body_words, tag_words = ([token.text for token in _TEXT_ANALYZER(part)]
                                              for part in (title, body, tags))
        words = {token.text for part in (title, body, tags) for token in _EXACT_ANALYZER(part)}
        boost = max(0.0, float(doc.get("boost") or 0.0))
        self.key = str(doc["key"])
        self.row = {
            "key": self.key, "type": str(doc["type"]), "object_id": int(doc["id"]),
            "title": title, "body": snippet_source(body),
            "category": str(doc.get("category") or ""), "lang": str(doc.get("lang") or ""), "boost": boost,
            "group_key": str(doc["group"]) if doc.get("group") else None,
            "content": content_vector(((title_words, "A"), (body_words, "C"), (tag_words, "B"))),
            "words": sorted(words),
        }
        content = title_words + body_words + tag_words
        self.lengths = {"c": len(content), "t": len(title_words)}
        self.fields = {"c": Counter(content),
                       "t": Counter({word: count * TITLE_BOOST for word, count in Counter(title_words).items()}),
                       "p": dict.fromkeys(title_prefix_terms(title), 1.0)}
        self.factor = 1.0 + boost

    def postings(self, doc: int):
        """The posting rows of the document under number doc."""
        row = self.row
        for field, weights in self.fields.items():
            length = self.lengths.get(field, 0)
            for term, weight in weights.items():
                yield (field, term, doc, weight, length, self.factor, row["type"], row["category"], row["lang"])

    def counted(self):
        """The (field, term) pairs whose document counts include this document."""
        yield from ((SPELLING, word) for word in self.row["words"])
        yield from (("c", term) for term in self.fields["c"])
        yield from (("t", term) for term in self.fields["t"])
