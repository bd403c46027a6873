"""Demo peer questions from demo/content/questions: answers, real votes, accepted answers, a promotion.

Each questions/*.md file starts with `key: value` lines (title, category, lang, author, tags and
optionally `promote: yes`) up to a line `---`; the question's Markdown follows. Each answer
starts at a line `=== answer: <username> | accepted | votes: N` ("accepted" optional). Questions
go through the real services: routed to the category's experts, answered, voted on by other
demo people, accepted by their askers, and the marked one promoted by an expert.
"""
import os
from datetime import timedelta

from sqlalchemy import select

from accounts.models import User
from accounts.permissions import is_expert
from accounts.services import get_user
from core.clock import utcnow
from extensions import db
from mentoring.questions import services as questions
from mentoring.questions.models import Question

QUESTIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content", "questions")
ANSWER_MARKER = "=== answer:"
EXPERT_LIMIT = 3


def parse_answer_header(line):
    """{"username", "accepted", "votes"} from `=== answer: sara | accepted | votes: 3`."""
    parts = [part.strip() for part in line[len(ANSWER_MARKER):].split("|")]
    header = {"username": parts[0], "accepted": False, "votes": 0}
    for part in parts[1:]:
        if part == "accepted":
            header["accepted"] = True
        elif part.startswith("votes:"):
            header["votes"] = int(part.partition(":")[2])
    return header


def parse_question_file(text):
    """(headers, question Markdown, [answer dicts with "body"]) of a questions/*.md file."""
    lines = text.lstrip("\ufeff").splitlines()
    headers = {}
    for index, line in enumerate(lines):
        if line.strip() == "---":
            rest = lines[index + 1:]
            break
        key, _, value = line.partition(":")
        if key.strip():
            headers[key.strip().lower()] = value.strip()
    else:
        raise ValueError("no '---' line ends the header")
    body, answers, current = [], [], None
    for line in rest:
        if line.startswith(ANSWER_MARKER):
            current = dict(parse_answer_header(line), lines=[])
            answers.append(current)
        else:
            (current["lines"] if current is not None else body).append(line)
    for answer in answers:
        answer["body"] = "\n".join(answer.pop("lines")).strip("\n") + "\n"
    return headers, "\n".join(body).strip("\n") + "\n", answers


def _voters(people, answer_author, count, offset):
    """`count` demo people other than the answerer, a different run of them for each answer."""
    others = [person for person in people if person.id != answer_author.id]
    start = offset % len(others)
    return (others[start:] + others[:start])[:count]


def _backdate(question, asked_at):
    """Spread the question's life over the days after `asked_at`, as if it had happened then."""
    question.created_at = question.updated_at = asked_at
    for revision in question.revisions:
        revision.created_at = asked_at
    for routing in question.routings:
        routing.asked_at = asked_at
    for position, answer in enumerate(question.answers, start=1):
        answered_at = asked_at + timedelta(hours=2 * position, minutes=7 * position)
        answer.created_at = answer.updated_at = answered_at
        for vote in answer.votes:
            vote.created_at = vote.updated_at = answered_at + timedelta(hours=3)
        question.updated_at = max(question.updated_at, answered_at)


def _promoter(question, answerer):
    """An expert of the category other than the answerer: one who was asked, else a lead."""
    for routing in question.routings:
        if routing.expert_id != answerer.id and is_expert(routing.expert, question.category_id):
            return routing.expert
    return db.session.scalar(select(User).where(User.role == "lead", User.id != answerer.id)
                             .order_by(User.username))


def load_question(path, people, number):
    """Ask, answer, vote, accept and promote one demo question; None when it exists already."""
    with open(path, encoding="utf-8") as source:
        headers, body, answers = parse_question_file(source.read())
    author = get_user(headers["author"])
    if author is None or db.session.scalar(select(Question.id).where(
            Question.title == headers["title"], Question.author_id == author.id)) is not None:
        return None
    question = questions.ask_question(author, headers["title"], body, headers["category"],
                                      tags=headers.get("tags", ""), lang=headers.get("lang"),
                                      expert_limit=EXPERT_LIMIT)
    promoted = None
    for position, spec in enumerate(answers):
        answerer = get_user(spec["username"])
        answer = questions.answer_question(question, answerer, spec["body"])
        for voter in _voters(people, answerer, spec["votes"], number * 3 + position):
            questions.vote_on_answer(answer, voter, 1)
        if spec["accepted"]:
            questions.accept_answer(answer, author)
            if headers.get("promote", "").lower() == "yes":
                promoted = answer
    if promoted is not None:
        questions.promote_answer(promoted, _promoter(question, promoted.author))
    _backdate(question, utcnow() - timedelta(days=45 - 2 * number, hours=number % 7))
    # Readers who found it: more for questions with more answers and votes.
    question.view_count = (9 + 4 * len(answers) + 3 * sum(spec["votes"] for spec in answers)
                           + (number * 7) % 11)
    db.session.flush()
    return question


def load_questions():
    """The demo questions not loaded yet (idempotent); returns summary lines."""
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    files = sorted(name for name in os.listdir(QUESTIONS_DIR) if name.endswith(".md"))
    loaded = [load_question(os.path.join(QUESTIONS_DIR, name), people, number)
              for number, name in enumerate(files)]
    created = [question for question in loaded if question is not None]
    answers = sum(len(question.answers) for question in created)
    promoted = sum(1 for question in created if question.article_id)
    return ["questions: %d asked (%d answers, %d promoted), %d in the demo"
            % (len(created), answers, promoted, len(files))]
