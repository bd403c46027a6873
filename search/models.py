"""Search tables: the query log (what agents searched and opened), the index outbox, and the
PostgreSQL search backend's documents and words."""
from datetime import datetime

from sqlalchemy import DDL, JSON, REAL, BigInteger, ForeignKey, Index, String, Text, event, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from extensions import db

QUERY_MAX_CHARS = 200
KEY_MAX_CHARS = 40
SLUG_MAX_CHARS = 64
SEARCH_CHANNELS = ("page", "api")
REF_CHARS = 32


class SearchLog(db.Model):
    """One search as an agent ran it: normalised text, filters, result count and what they opened.

    `category` is the category filter, or else the category of the best hit, so that content gaps
    can be listed per category; it stays empty for an unfiltered search that found nothing.
    """

    __table_args__ = (Index("ix_search_log_created", "created_at"),
                      Index("ix_search_log_category_text", "category", "text"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given when the search runs, before the buffered row is written: the results page links
    # opened results to it (search/log.py).
    ref: Mapped[str | None] = mapped_column(String(REF_CHARS), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(String(QUERY_MAX_CHARS))
    type_filter: Mapped[str | None] = mapped_column(String(16))
    category_filter: Mapped[str | None] = mapped_column(String(SLUG_MAX_CHARS))
    lang_filter: Mapped[str | None] = mapped_column(String(8))
    # "page" or "api": API clients cannot report which result they opened.
    channel: Mapped[str] = mapped_column(String(8), default="page")
    category: Mapped[str | None] = mapped_column(String(SLUG_MAX_CHARS))
    result_count: Mapped[int] = mapped_column(default=0)
    took_ms: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow())
    opened_key: Mapped[str | None] = mapped_column(String(KEY_MAX_CHARS))
    opened_at: Mapped[datetime | None]

    user = relationship("User")

    def __repr__(self):
        return f"<SearchLog {self.id} {self.text!r}>"


class SearchOutbox(db.Model):
    """An index operation waiting to be applied: the key of a document that changed.

    Written in the same transaction as the change it stands for (search/sync.py), so the index
    learns of every committed change and of nothing rolled back; the job queue's consumer applies
    the rows oldest first and deletes them by id (search/outbox.py). The document is read from the
    database when the row is applied, so a key written twice is applied as its last state.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX_CHARS))
    created_at: Mapped[datetime] = mapped_column(default=lambda: utcnow(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)

    def __repr__(self):
        return f"<SearchOutbox {self.id} {self.key}>"


# The PostgreSQL search backend's index (search/pg_engine.py). The tables exist on SQLite too, so
# that one schema serves both databases, but only PostgreSQL ever fills them.
TRIGRAM_INDEX = "ix_search_term_trigram"
POSTING_FIELDS = ("c", "t", "p")  # content (stems), title (stems), title prefixes


class SearchDocument(db.Model):
    """One document of the PostgreSQL search index, as the Python analysis (analysis.py) cut it.

    `doc` numbers the documents in the order they were written (a rewritten one gets a new
    number), as Whoosh's document numbers do: it joins the postings and breaks ties. `content`
    holds the stemmed words of title (weight A), tags (B) and body (C) with their positions,
    for quoted phrases; `words` the distinct unstemmed words (counted in SearchTerm for typo
    correction). `body` keeps only what snippets read.
    """

    __tablename__ = "search_document"
    __table_args__ = (Index("ix_search_document_content", "content", postgresql_using="gin"),
                      Index("ix_search_document_doc", "doc", unique=True),
                      # The few documents of a group, which every search reads apart (folding.py).
                      Index("ix_search_document_grouped", "doc", "group_key",
                            postgresql_where=text("group_key IS NOT NULL"),
                            sqlite_where=text("group_key IS NOT NULL")))

    key: Mapped[str] = mapped_column(String(KEY_MAX_CHARS), primary_key=True)
    doc: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(SLUG_MAX_CHARS))
    lang: Mapped[str] = mapped_column(String(8))
    boost: Mapped[float] = mapped_column(default=0.0)
    # Documents sharing a group (the language versions of one article) are folded into one
    # result (folding.py); NULL for a document alone.
    group_key: Mapped[str | None] = mapped_column(String(KEY_MAX_CHARS))
    content: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    words = mapped_column(ARRAY(Text).with_variant(JSON(), "sqlite"), nullable=False)

    def __repr__(self):
        return f"<SearchDocument {self.key}>"


# One row per (field, term, document): what ranking reads, all of it in the covering index, so
# that a query reads only the index. `weight` is the term's frequency in the field (times the
# title's field boost), `length` the field's length in words, `factor` 1 + the document's boost;
# type, category and lang are copied from the document for the filters.
search_posting = db.Table(
    "search_posting",
    db.Column("field", String(1), nullable=False),
    db.Column("term", Text, nullable=False),
    db.Column("doc", BigInteger, nullable=False),
    db.Column("weight", REAL, nullable=False),
    db.Column("length", REAL, nullable=False),
    db.Column("factor", REAL, nullable=False),
    db.Column("type", String(16), nullable=False),
    db.Column("category", String(SLUG_MAX_CHARS), nullable=False),
    db.Column("lang", String(8), nullable=False),
    Index("ix_search_posting_term", "field", "term", "doc", unique=True,
          postgresql_include=["weight", "length", "factor", "type", "category", "lang"]),
    Index("ix_search_posting_doc", "doc"),
)


# The planner's estimate of how many documents hold a term decides how a query joins its words:
# the statistics keep the 2,000 commonest terms (default 100) of the hundreds of thousands.
TERM_STATISTICS = "ALTER TABLE %s ALTER COLUMN term SET STATISTICS 2000"
event.listen(search_posting, "after_create", DDL(TERM_STATISTICS % "search_posting").execute_if(dialect="postgresql"))


class SearchTerm(db.Model):
    """How many documents of the PostgreSQL search index hold a word: field "s" a word as typed
    (unstemmed, for typo correction, with a trigram index), "c" and "t" a stem in the content
    or the title (for ranking)."""

    __tablename__ = "search_term"
    __table_args__ = (Index(TRIGRAM_INDEX, "term", postgresql_using="gin",
                            postgresql_ops={"term": "gin_trgm_ops"}),)

    field: Mapped[str] = mapped_column(String(1), primary_key=True)
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int]

    def __repr__(self):
        return f"<SearchTerm {self.field}:{self.term} {self.documents}>"


class SearchStat(db.Model):
    """A total of the PostgreSQL search index: "documents", "length:c", "length:t" (words)."""

    __tablename__ = "search_stat"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[float] = mapped_column(default=0.0)


def trigram_schema(connection) -> str:
    """The schema pg_trgm is installed in, installing it first (into the current schema) if needed.

    Knowhow's tables may live in a schema of their own (the tests' do), where pg_trgm's operator
    class and operators are not on the search path: they are named with this schema instead.
    """
    query = ("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
             "WHERE e.extname = 'pg_trgm'")
    installed = connection.exec_driver_sql(query).scalar()
    if installed is not None:  # never CREATE when it is there: two such statements at once can collide
        return installed
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return connection.exec_driver_sql(query).scalar_one()


def trigram_opclass(schema: str) -> str:
    """pg_trgm's GIN operator class, named with its schema."""
    return '"%s".gin_trgm_ops' % schema.replace('"', '""')


@event.listens_for(SearchTerm.__table__, "before_create")
def _name_the_trigram_opclass(table, connection, **_kw):
    if connection.dialect.name != "postgresql":
        return
    opclass = trigram_opclass(trigram_schema(connection))
    for index in table.indexes:
        if index.name == TRIGRAM_INDEX:
            index.dialect_options["postgresql"]["ops"] = {"term": opclass}
