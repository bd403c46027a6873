"""The articles a resolution file says were used on its contacts (the CSV column `articles`).

A file with that column states, for each of its contacts, which articles were used on it: the
import adds the links it lacks and removes the ones an earlier file gave that this one no longer
names. Links recorded through the API or the article page are never touched by a file. Each chunk
of rows costs one SELECT of its tickets' links, one INSERT and at most one DELETE.
"""
from sqlalchemy import delete, select

from core.clock import utcnow
from extensions import db
from kb.models import Article
from recognition.impact.models import ArticleUse

_uses = ArticleUse.__table__
_INSERT_SQL = ("INSERT INTO article_use (article_id, ticket_id, agent_id, source, created_at)"
               " VALUES (?, ?, ?, ?, ?)")


class FileLinks:
    """The article links of one import, checked against the stored articles, written per chunk."""

    def __init__(self):
        self.article_ids = set(db.session.scalars(select(Article.id)))

    def unknown(self, article_ids):
        """The ids among `article_ids` that name no stored article."""
        return [article_id for article_id in article_ids if article_id not in self.article_ids]

    def plan(self, wanted):
        """What to change for {ticket id: (agent id, article ids)}: a LinkPlan."""
        stored = {}
        if wanted:
            rows = db.session.execute(
                select(_uses.c.id, _uses.c.ticket_id, _uses.c.article_id, _uses.c.source)
                .where(_uses.c.ticket_id.in_(list(wanted))))
            for use_id, ticket_id, article_id, source in rows:
                stored.setdefault(ticket_id, {})[article_id] = (use_id, source)
        plan = LinkPlan()
        for ticket_id, (agent_id, article_ids) in wanted.items():
            present = stored.get(ticket_id, {})
            for article_id in article_ids:
                if article_id not in present:
                    plan.inserts.append((article_id, ticket_id, agent_id))
                    plan.changed.add(ticket_id)
            named = set(article_ids)
            for article_id, (use_id, source) in present.items():
                if source == "csv" and article_id not in named:
                    plan.deletes.append(use_id)
                    plan.changed.add(ticket_id)
        return plan


class LinkPlan:
    """Links to add and to remove for one chunk, and the tickets whose links change."""

    def __init__(self):
        self.inserts = []
        self.deletes = []
        self.changed = set()

    def write(self, store):
        """Write the chunk's links through the import's RecordStore connection: plain tuples to
        the driver, as the records themselves (a file may link a hundred thousand contacts)."""
        if self.inserts:
            created_at = store.moment(utcnow())
            store.connection.exec_driver_sql(
                _INSERT_SQL.replace("?", store.mark),
                [(article_id, ticket_id, agent_id, "csv", created_at)
                 for article_id, ticket_id, agent_id in self.inserts])
        if self.deletes:
            db.session.execute(delete(_uses).where(_uses.c.id.in_(self.deletes)))
