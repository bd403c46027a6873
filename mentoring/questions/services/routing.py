"""Ask-an-expert: who should see a new question first, and the record of who was asked."""
from sqlalchemy import select

from accounts.models import User
from accounts.notifications import notify_all
from extensions import db
from mentoring.questions.models import QuestionRouting
from mentoring.questions.services.following import muted_experts
from recognition.awards.services import current_titles
from recognition.services import rank_performers

DEFAULT_EXPERT_LIMIT = 3


def _leads(asker):
    """Active team leads, the asker's own lead first, then by username."""
    leads = db.session.scalars(select(User).where(User.role == "lead", User.active.is_(True))
                               .order_by(User.username)).all()
    own_lead_id = asker.team.lead_id if asker is not None and asker.team is not None else None
    return sorted(leads, key=lambda lead: lead.id != own_lead_id)


def expert_candidates(category, asker=None, skip_ids=()):
    """[(user, reason)] to ask about a question in `category`, best first.

    Title holders of the category come first, ordered by their rank in the category's current
    performers ranking (unranked holders after, by username); then the category's other top
    performers by rank; then team leads. Never the asker, nobody inactive, nobody in skip_ids.
    """
    board = rank_performers(category)
    rank_of = {row.user.id: row.breakdown.rank for row in board.ranked}
    holders = {title.user.id: title.user for title in current_titles(category)}
    ordered_holders = sorted(holders.values(), key=lambda user: (
        user.id not in rank_of, rank_of.get(user.id, 0), user.username))
    chain = ([(user, "title") for user in ordered_holders]
             + [(row.user, "performer") for row in board.ranked]
             + [(user, "lead") for user in _leads(asker)])
    skipped = set(skip_ids)
    if asker is not None:
        skipped.add(asker.id)
    candidates = []
    for user, reason in chain:
        if user.id in skipped or not user.active:
            continue
        skipped.add(user.id)
        candidates.append((user, reason))
    return candidates


def route_question(question, limit=DEFAULT_EXPERT_LIMIT):
    """Ask the next `limit` experts not asked yet about `question`; returns the new routings."""
    limit = max(0, int(limit))
    already = [routing.expert_id for routing in question.routings]
    # Who muted the category (or a tag) hears nothing from it, not even this: the next expert is asked.
    muted = muted_experts(question)
    people = [candidate for candidate in expert_candidates(question.category, question.author, already)
              if candidate[0].id not in muted][:limit]
    next_rank = max((routing.rank for routing in question.routings), default=0) + 1
    routings = []
    for offset, (user, reason) in enumerate(people):
        routing = QuestionRouting(expert=user, rank=next_rank + offset, reason=reason)
        question.routings.append(routing)
        routings.append(routing)
    db.session.flush()
    notify_all([routing.expert for routing in routings], "question_in_category", question.path,
               actor=question.author, title=question.title,
               per_recipient=lambda user: {"category": question.category.display_name(user.locale)})
    return routings
