"""Every domain event, as blinker signals: the owner sends, other domains listen.

A lower layer never imports a higher one; when it must be heard by one, it sends a signal named
here, and the listening domain connects its receiver in its own `init_app`. Receivers run inside
the sender's transaction, before the request commits, and never commit themselves.

Two kinds of signal live here:
- events, sent after a change (`article_published.send(article)`);
- questions a lower layer asks the domains above it (`expertise_asked.send(user,
  category_id=3)`): each receiver answers with its return value, and the sender combines the
  answers (`send` returns `[(receiver, answer), …]`).

`tests/test_architecture.py` lists who listens to what, so the wiring is visible in one place.
"""
from blinker import Namespace

events = Namespace()

# -- kb: sender is the Article (or ArticleFeedback), before the commit.
article_published = events.signal("article-published")
article_verified = events.signal("article-verified")  # article.verifier is who confirmed it
feedback_given = events.signal("feedback-given")  # sender: the ArticleFeedback

# -- mentoring: sender is the Question, after it was asked, edited, answered, voted on,
# accepted, closed, reopened, promoted or deleted (before the commit).
question_changed = events.signal("question-changed")
# The moments outside listeners (webhooks) care about, each after question_changed was sent.
question_asked = events.signal("question-asked")  # sender: the Question
answer_posted = events.signal("answer-posted")  # sender: the Answer
answer_accepted = events.signal("answer-accepted")  # sender: the Answer; accepted_by=the User

# -- recognition: sender is the Title, after a lead awarded or renewed it (before the commit).
title_awarded = events.signal("title-awarded")

# -- accounts: `flask init-db` brought the schema to head; receivers create reference data.
database_initialised = events.signal("database-initialised")  # sender: the Flask app
# -- core: `flask restore` put a backup's database in place; receivers rebuild what derives from
# it and answer with how many documents they indexed.
database_restored = events.signal("database-restored")  # sender: the Flask app

# -- questions asked of the domains above.
# Is `sender` (a User) an expert of category_id=…? Receivers answer True or False.
expertise_asked = events.signal("expertise-asked")
# What else belongs in the JSON of user `sender` (include_stats=…)? Receivers answer a dict.
profile_requested = events.signal("profile-requested")
# Which templates does page=… ("home", "profile", "article") include? Receivers answer
# [(order, template)].
page_sections_asked = events.signal("page-sections-asked")
# How much did user `sender` contribute? Receivers answer {stat name: count}.
contributions_asked = events.signal("contributions-asked")
# Which categories does user `sender` work in? Receivers answer {category_id: weight}, more
# meaning closer (the home page shows the closest first).
work_categories_asked = events.signal("work-categories-asked")
# Which object is kind=… ("answer") with id=…? The owning domain answers with it, or None.
content_asked = events.signal("content-asked")
# What is the followable thing kind=… ("article", "question", "tag") with key=…, as user `sender`
# may see it? The owning domain answers {"id", "title", "url", "owner_id"}, or None when it does
# not exist or `sender` may not read it (accounts/following).
followable_asked = events.signal("followable-asked")

# -- operations (core/ops): what /readyz and /metrics ask of the layers above.
# Is your part of app `sender` ready (database_ok=… says whether the database answered)?
# Receivers answer {check name: {"ok": bool, …details}}.
readiness_asked = events.signal("readiness-asked")
# What do you measure in app `sender` now? Receivers answer [core.ops.metrics.Gauge, …]. The job
# queue's depth belongs here too once there is a queue.
gauges_asked = events.signal("gauges-asked")


def answers(signal, sender, **kwargs):
    """The non-None answers of every receiver of `signal`, in the order they connected."""
    return [answer for _receiver, answer in signal.send(sender, **kwargs) if answer is not None]
