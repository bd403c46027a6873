"""Knowledge-base services: lifecycle and who may do each step, revisions, freshness, feedback."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Notification
from accounts.permissions import can
from core.categories import create_category, get_category
from core.clock import utcnow
from core.signals import article_published, expertise_asked, feedback_given
from errors import Conflict, Invalid, NotFound, PermissionDenied
from extensions import db
from kb import services
from kb.models import Article, ArticleFeedback, ArticleRevision, Tag
from kb.services import slug_for_title
from tests.factories import make_user
from tests.factories_kb import HOWTO_BODY, make_article, make_category


@pytest.fixture
def people(ctx):
    """A lead and two agents in Tehran, a lead in Dubai, an admin; two categories."""
    from accounts import services as accounts
    users = {
        "lead": make_user("lead", role="lead", team="Tehran"),
        "agent": make_user("agent", team="Tehran"),
        "other": make_user("other", team="Tehran"),
        "dubai": make_user("dubai", role="lead", team="Dubai"),
        "admin": make_user("admin", role="admin"),
    }
    accounts.save_team("Tehran", "lead")
    accounts.save_team("Dubai", "dubai")
    db.session.commit()
    make_category("internet")
    make_category("billing")
    return users


@pytest.fixture
def expert_of_billing(people):
    """Makes `other` an expert of billing only, as a current title would."""
    billing = get_category("billing")

    def answer(user, category_id):
        return user.username == "other" and category_id == billing.id

    with expertise_asked.connected_to(answer):
        yield people["other"]


def article_count():
    return db.session.scalar(select(func.count(Article.id)))


def notifications_of(user, kind):
    return db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)).all()


# --- lifecycle ---------------------------------------------------------------------------

def test_new_article_is_a_draft_at_revision_one(people):
    article = make_article(people["agent"])
    assert article.status == "draft"
    assert article.revision_number == 1
    assert [r.number for r in article.revisions] == [1]
    assert article.verified_at is None and article.review_due is None


def test_submitting_for_review_notifies_the_team_lead_and_admins_only(people):
    article = make_article(people["agent"])
    services.submit_for_review(article, people["agent"])
    db.session.commit()
    assert article.status == "in_review"
    assert len(notifications_of(people["lead"], "review_requested")) == 1
    assert len(notifications_of(people["admin"], "review_requested")) == 1
    assert notifications_of(people["dubai"], "review_requested") == []
    assert notifications_of(people["agent"], "review_requested") == []


def test_lead_publishes_and_becomes_verifier_with_review_due(people):
    article = make_article(people["agent"], status="in_review")
    before = utcnow()
    services.publish_article(article, people["lead"], review_interval_days=30)
    db.session.commit()
    assert article.status == "published"
    assert article.verifier == people["lead"]
    assert before <= article.verified_at <= utcnow()
    assert article.review_due == article.verified_at + timedelta(days=30)
    assert len(notifications_of(people["agent"], "article_published")) == 1


def test_agent_cannot_publish_an_article_in_review(people):
    article = make_article(people["agent"], status="in_review")
    with pytest.raises(PermissionDenied):
        services.publish_article(article, people["other"])
    db.session.rollback()
    assert db.session.get(Article, article.id).status == "in_review"


def test_agent_cannot_create_a_published_article_and_nothing_is_written(people):
    with pytest.raises(PermissionDenied) as refused:
        services.create_article(people["agent"], "Title", HOWTO_BODY, "internet", status="published")
    assert "status" in refused.value.fields
    db.session.rollback()
    assert article_count() == 0


def test_lead_creates_a_published_article_directly(people):
    article = make_article(people["lead"], status="published")
    assert article.status == "published"
    assert article.verifier == people["lead"] and article.review_due is not None


def test_send_back_returns_a_draft_with_the_comment_to_the_author(people):
    article = make_article(people["agent"], status="in_review")
    services.send_back(article, people["lead"], "Add the refund limits.")
    db.session.commit()
    assert article.status == "draft"
    assert [c.body for c in services.review_comments(article)] == ["Add the refund limits."]
    assert len(notifications_of(people["agent"], "article_sent_back")) == 1


def test_send_back_needs_a_comment(people):
    article = make_article(people["agent"], status="in_review")
    with pytest.raises(Invalid) as refused:
        services.send_back(article, people["lead"], "   ")
    assert refused.value.field == "comment"


def test_only_an_article_in_review_can_be_sent_back(people):
    article = make_article(people["agent"])
    with pytest.raises(Conflict):
        services.send_back(article, people["lead"], "No.")


def test_agent_cannot_send_back(people):
    article = make_article(people["agent"], status="in_review")
    with pytest.raises(PermissionDenied):
        services.send_back(article, people["other"], "No.")


def test_archiving_keeps_history_and_an_expert_can_publish_again(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.update_article(article, people["agent"], body=HOWTO_BODY + "\nOne more line.\n")
    services.archive_article(article, people["lead"])
    db.session.commit()
    assert article.status == "archived"
    assert [r.number for r in article.revisions] == [1, 2]
    services.publish_article(article, people["lead"])
    assert article.status == "published"


def test_agent_cannot_archive(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    with pytest.raises(PermissionDenied):
        services.archive_article(article, people["agent"])


def test_published_article_cannot_go_back_to_review(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    with pytest.raises(Conflict):
        services.update_article(article, people["agent"], status="in_review")


def test_publishing_sends_article_published(people):
    seen = []

    def listen(article):
        seen.append(article)

    with article_published.connected_to(listen):
        article = make_article(people["agent"], status="published", publisher=people["lead"])
    assert seen == [article]


def test_a_review_request_is_one_job_after_the_commit(people, held_jobs):
    article = make_article(people["agent"])
    services.submit_for_review(article, people["agent"])
    assert held_jobs.names() == [] and notifications_of(people["lead"], "review_requested") == []
    db.session.commit()
    assert held_jobs.run() == ["write_notifications"]
    assert len(notifications_of(people["lead"], "review_requested")) == 1
    assert len(notifications_of(people["admin"], "review_requested")) == 1


def test_title_holder_publishes_in_their_category_only(people, expert_of_billing):
    billing = make_article(people["agent"], category="billing", status="in_review")
    internet = make_article(people["agent"], category="internet", title="Other article", status="in_review")
    services.publish_article(billing, expert_of_billing)
    assert billing.status == "published"
    with pytest.raises(PermissionDenied):
        services.publish_article(internet, expert_of_billing)


def test_title_holder_is_asked_to_review_their_category(people, expert_of_billing):
    make_article(people["agent"], category="billing", status="in_review")
    assert len(notifications_of(expert_of_billing, "review_requested")) == 1


# --- who may read and edit -----------------------------------------------------------------

def test_another_agent_cannot_edit_someone_elses_draft(people):
    article = make_article(people["agent"])
    with pytest.raises(PermissionDenied):
        services.update_article(article, people["other"], title="Mine now")
    db.session.rollback()
    assert db.session.get(Article, article.id).title == "Modem DSL light blinking"


@pytest.mark.parametrize("status, viewer, allowed", [
    ("draft", "agent", True), ("draft", "other", False), ("draft", "lead", True),
    ("draft", "dubai", True), ("in_review", "other", False), ("in_review", "lead", True),
    ("published", "other", True), ("archived", "other", True),
])
def test_who_may_view_an_article(people, status, viewer, allowed):
    article = make_article(people["agent"], status="published" if status == "archived" else status,
                           publisher=people["lead"])
    if status == "archived":
        services.archive_article(article, people["lead"])
    assert can(people[viewer], "article.view", article) is allowed


@pytest.mark.parametrize("status, editor, allowed", [
    ("draft", "agent", True), ("draft", "lead", False), ("draft", "other", False),
    ("in_review", "agent", True), ("in_review", "lead", True), ("in_review", "other", False),
    ("published", "agent", True), ("published", "lead", True), ("published", "other", False),
])
def test_who_may_edit_an_article(people, status, editor, allowed):
    article = make_article(people["agent"], status=status, publisher=people["lead"])
    assert can(people[editor], "article.edit", article) is allowed


def test_author_edits_a_published_article_and_it_stays_published(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.update_article(article, people["agent"], title="Modem DSL light blinking (ADSL2+)")
    assert article.status == "published" and article.revision_number == 2


def test_agent_cannot_move_a_published_article_to_another_category(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    with pytest.raises(PermissionDenied):
        services.update_article(article, people["agent"], category="billing")


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"body": ""}, "body"),
    ({"body": "x" * (2 * 1024 * 1024)}, "body"),
    ({"body": "ک" * 200_001}, "body"),  # the limit counts characters, whatever their bytes
    ({"body": ">" * 100_000 + " quoted"}, "body"),  # nested too deeply
    ({"body": "<div>" * 30_000}, "body"),
    ({"category": "no-such-category"}, "category"),
    ({"lang": "de"}, "lang"),
    ({"status": "archived"}, "status"),
    ({"summary": "s" * 301}, "summary"),
    ({"tags": ["t%d" % n for n in range(21)]}, "tags"),
    ({"tags": ["x" * 51]}, "tags"),
])
def test_bad_article_input_is_refused_and_nothing_is_written(people, change, field):
    values = {"title": "Modem", "body": HOWTO_BODY, "category": "internet", **change}
    with pytest.raises(Invalid) as refused:
        services.create_article(people["agent"], values.pop("title"), values.pop("body"),
                                values.pop("category"), **values)
    assert refused.value.field == field
    db.session.rollback()
    assert article_count() == 0


def test_body_of_exactly_200_000_characters_is_accepted(people):
    article = make_article(people["agent"], body="ک" * 200_000)
    assert len(article.body) == 200_000


def test_body_limit_follows_the_setting(app, people):
    app.config["MAX_ARTICLE_CHARS"] = 1000
    with pytest.raises(Invalid, match="at most 1000"):
        make_article(people["agent"], body="x" * 1001)
    assert len(make_article(people["agent"], body="x" * 1000).body) == 1000


def test_tags_are_shared_and_matched_case_insensitively(people):
    first = make_article(people["agent"], tags=["PUK", "SIM card"])
    second = make_article(people["agent"], title="Second article", tags="puk, roaming, PUK")
    assert [t.name for t in second.tags] == ["PUK", "roaming"]
    assert first.tags[0].id == second.tags[0].id
    assert db.session.scalar(select(func.count(Tag.id))) == 3


# --- revisions -----------------------------------------------------------------------------

def test_every_save_is_a_revision_with_author_and_note(people):
    article = make_article(people["agent"], status="in_review")
    services.update_article(article, people["lead"], body=HOWTO_BODY + "\nCheck the splitter.\n",
                            note="Splitter step")
    db.session.commit()
    latest = services.get_revision(article, 2)
    assert latest.author == people["lead"] and latest.note == "Splitter step"
    assert "Check the splitter." in latest.body
    assert services.get_revision(article, 1).body == HOWTO_BODY


def test_saving_without_changes_adds_no_revision(people):
    article = make_article(people["agent"])
    services.update_article(article, people["agent"], title=article.title, body=article.body)
    assert article.revision_number == 1


def test_revision_caches_the_sanitised_html(people):
    article = make_article(people["agent"], body="## Steps\n\n<img src=x onerror=alert(1)> **ok**\n")
    assert "<strong>ok</strong>" in article.html
    assert "onerror" not in article.html
    assert db.session.scalar(select(ArticleRevision.html)) == article.html


def test_restore_makes_an_old_revision_current_as_a_new_revision(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.update_article(article, people["agent"], title="Wrong title", body="Wrong body\n")
    services.restore_revision(article, 1, people["lead"])
    db.session.commit()
    assert article.revision_number == 3
    assert article.title == "Modem DSL light blinking" and article.body == HOWTO_BODY
    assert "Restored revision 1" in services.get_revision(article, 3).note


def test_restoring_the_current_revision_is_refused(people):
    article = make_article(people["agent"])
    with pytest.raises(Invalid):
        services.restore_revision(article, 1, people["agent"])


def test_another_agent_cannot_restore(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.update_article(article, people["agent"], title="Second title")
    with pytest.raises(PermissionDenied):
        services.restore_revision(article, 1, people["other"])


def test_diff_marks_changed_words_and_escapes_markup(people):
    article = make_article(people["agent"], body="Restart the modem.\nWait <b>two</b> minutes.\n")
    services.update_article(article, people["agent"],
                            body="Restart the router.\nWait <b>two</b> minutes.\nCall back.\n")
    diff = services.diff_revisions(article, 1, 2)
    assert "<del>modem</del><ins>router</ins>" in str(diff.body)
    assert "<ins>Call back.</ins>" in str(diff.body)
    assert "&lt;b&gt;two&lt;/b&gt;" in str(diff.body) and "<b>" not in str(diff.body)
    assert (diff.lines_added, diff.lines_removed) == (2, 1)


def test_diff_of_title_shows_both_versions(people):
    article = make_article(people["agent"], title="Reset the modem")
    services.update_article(article, people["agent"], title="Reset the <router>")
    diff = services.diff_revisions(article, 1, 2)
    assert str(diff.title) == "Reset the <del>modem</del><ins>&lt;router&gt;</ins>"


def test_diff_folds_long_unchanged_runs(people):
    lines = ["line %d" % n for n in range(30)]
    article = make_article(people["agent"], body="\n".join(lines) + "\n")
    services.update_article(article, people["agent"],
                            body="\n".join(lines[:15] + ["new line"] + lines[15:]) + "\n")
    body = str(services.diff_revisions(article, 1, 2).body)
    assert "12 unchanged lines" in body and "line 14" in body and "line 3<" not in body


def test_diff_of_an_unknown_revision_is_not_found(people):
    article = make_article(people["agent"])
    with pytest.raises(NotFound):
        services.diff_revisions(article, 1, 7)


def test_saving_over_a_newer_revision_is_a_conflict(people):
    article = make_article(people["agent"], status="in_review")
    services.update_article(article, people["lead"], title="Lead's fix")
    with pytest.raises(Conflict):
        services.update_article(article, people["agent"], title="Agent's edit", base_revision=1)


# --- freshness -----------------------------------------------------------------------------

def test_verifying_moves_the_review_date_on(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    article.review_due = utcnow() - timedelta(days=3)
    services.verify_article(article, people["admin"], review_interval_days=45)
    assert article.verifier == people["admin"]
    assert article.review_due == article.verified_at + timedelta(days=45)
    assert not article.is_overdue()


def test_every_verification_is_kept_in_the_history(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.verify_article(article, people["admin"])
    services.verify_article(article, people["lead"])
    history = services.verification_history(article)
    assert [entry.user for entry in history] == [people["lead"], people["admin"], people["lead"]]
    assert history[0].verified_at == article.verified_at


def test_verification_days_are_the_distinct_days_in_order(clock, people):
    first = make_article(people["agent"], status="published", publisher=people["lead"])
    second = make_article(people["agent"], title="Second article", status="published", publisher=people["lead"])
    services.verify_article(first, people["admin"])
    services.verify_article(second, people["admin"])
    entries = services.verification_history(first) + services.verification_history(second)
    for entry in entries:
        if entry.user == people["lead"]:
            entry.verified_at -= timedelta(days=2)
    db.session.flush()
    today = utcnow().date()
    assert services.verification_days(people["admin"]) == [today]
    assert services.verification_days(people["lead"]) == [today - timedelta(days=2)]
    assert services.verification_days(people["agent"]) == []


def test_only_published_articles_are_verified(people):
    article = make_article(people["agent"], status="in_review")
    with pytest.raises(Conflict):
        services.verify_article(article, people["lead"])


def test_overdue_articles_are_listed_for_experts_oldest_first(people):
    fresh = make_article(people["agent"], title="Fresh article", status="published", publisher=people["lead"])
    late = make_article(people["agent"], title="Late article", status="published", publisher=people["lead"])
    later = make_article(people["agent"], title="Later article", status="published", publisher=people["lead"])
    late.review_due = utcnow() - timedelta(days=1)
    later.review_due = utcnow() - timedelta(days=10)
    db.session.commit()
    assert services.overdue_articles(people["lead"]) == [later, late]
    assert fresh.is_overdue() is False and late.is_overdue() is True
    assert services.overdue_articles(people["agent"]) == []


def test_overdue_list_of_a_title_holder_covers_their_category(people, expert_of_billing):
    billing = make_article(people["agent"], category="billing", status="published",
                           publisher=people["lead"])
    internet = make_article(people["agent"], title="Net article", status="published", publisher=people["lead"])
    billing.review_due = internet.review_due = utcnow() - timedelta(days=1)
    db.session.commit()
    assert services.overdue_articles(expert_of_billing) == [billing]


# --- feedback and flags --------------------------------------------------------------------

def test_one_vote_per_reader_which_they_can_change(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    _vote, created = services.record_feedback(article, people["other"], True)
    assert created and (article.helpful_count, article.unhelpful_count) == (1, 0)
    vote, created = services.record_feedback(article, people["other"], False, "Step 2 is outdated")
    db.session.commit()
    assert not created and vote.comment == "Step 2 is outdated"
    assert (article.helpful_count, article.unhelpful_count) == (0, 1)
    assert db.session.scalar(select(func.count(ArticleFeedback.id))) == 1


def test_authors_do_not_rate_their_own_articles(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    with pytest.raises(PermissionDenied):
        services.record_feedback(article, people["agent"], True)


def test_drafts_take_no_feedback(people):
    article = make_article(people["agent"])
    with pytest.raises(Conflict):
        services.record_feedback(article, people["lead"], True)


def test_feedback_must_be_true_or_false(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    with pytest.raises(Invalid):
        services.record_feedback(article, people["other"], "yes")


def test_feedback_sends_feedback_given(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    seen = []

    def listen(feedback):
        seen.append(feedback)

    with feedback_given.connected_to(listen):
        vote, _created = services.record_feedback(article, people["other"], True)
    assert seen == [vote]


def test_flag_notifies_the_experts_and_the_author(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    flag = services.flag_article(article, people["other"], "The refund limit is now $75.")
    db.session.commit()
    assert flag.is_open
    assert len(notifications_of(people["lead"], "article_flagged")) == 1
    assert len(notifications_of(people["agent"], "article_flagged")) == 1
    assert services.open_flags(people["lead"]) == [flag]
    assert services.open_flags(people["other"]) == []


def test_a_reader_has_one_open_flag_per_article(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.flag_article(article, people["other"], "Outdated prices.")
    with pytest.raises(Conflict):
        services.flag_article(article, people["other"], "Still outdated.")


def test_flag_needs_a_reason(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    with pytest.raises(Invalid) as refused:
        services.flag_article(article, people["other"], "bad")
    assert refused.value.field == "reason"


def test_expert_resolves_a_flag_and_an_agent_cannot(people):
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    flag = services.flag_article(article, people["other"], "Outdated prices.")
    with pytest.raises(PermissionDenied):
        services.resolve_flag(flag, people["agent"], "Fixed")
    services.resolve_flag(flag, people["lead"], "Prices updated")
    assert not flag.is_open and flag.resolved_by == people["lead"]
    assert services.open_flags(people["lead"]) == []
    with pytest.raises(Conflict):
        services.resolve_flag(flag, people["lead"], "Again")


def test_review_queue_lists_articles_in_review_except_ones_own(people):
    waiting = make_article(people["agent"], status="in_review")
    make_article(people["lead"], title="Lead's own", status="in_review")
    assert services.articles_awaiting_review(people["lead"]) == [waiting]
    assert services.articles_awaiting_review(people["other"]) == []


# --- categories ----------------------------------------------------------------------------

def test_category_slug_is_made_from_the_name(ctx):
    category = create_category("Billing & refunds", translations={"fa": "صورت‌حساب"})
    assert category.slug == "billing-refunds"
    assert category.display_name("fa") == "صورت‌حساب" and category.display_name("th") == "Billing & refunds"
    assert get_category("BILLING & REFUNDS") is category


@pytest.mark.parametrize("name, slug, error, field", [
    ("", None, Invalid, "name"),
    ("اینترنت", None, Invalid, "slug"),
    ("Billing", "Bad Slug!", Invalid, "slug"),
    ("Internet again", "internet", Conflict, "slug"),
    ("internet", "other-slug", Conflict, "name"),
])
def test_bad_categories_are_refused(ctx, name, slug, error, field):
    make_category("internet")
    with pytest.raises(error) as refused:
        create_category(name, slug)
    assert refused.value.field == field


def test_unknown_translation_language_is_refused(ctx):
    with pytest.raises(Invalid) as refused:
        create_category("Billing", translations={"de": "Rechnung"})
    assert refused.value.field == "translations"


# --- the daily review-due reminder ---------------------------------------------------------

def test_the_review_due_reminder_comes_once_per_review_date(clock, people):
    from kb import jobs as kb_jobs
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    due = article.review_due
    assert kb_jobs.remind_reviews_due_daily.call_local() == 0  # not due yet
    clock.move_to(due + timedelta(days=1))
    assert kb_jobs.remind_reviews_due_daily.call_local() == 1
    [notice] = notifications_of(people["agent"], "review_due")
    assert notice.url == article.path and notice.params["date"] == due.date().isoformat()
    assert len(notifications_of(people["lead"], "review_due")) == 1
    assert len(notifications_of(people["admin"], "review_due")) == 1
    assert notifications_of(people["dubai"], "review_due") == []
    clock.move_to(due + timedelta(days=2))
    assert kb_jobs.remind_reviews_due_daily.call_local() == 0  # never twice for the same date
    db.session.refresh(article)
    assert article.review_reminded_for == due

    services.verify_article(article, people["lead"])  # a new review date, a new reminder
    db.session.commit()
    clock.move_to(article.review_due + timedelta(hours=1))
    assert kb_jobs.remind_reviews_due_daily.call_local() == 1
    assert len(notifications_of(people["agent"], "review_due")) == 2


def test_drafts_and_archived_articles_get_no_reminder(clock, people):
    from kb import jobs as kb_jobs
    article = make_article(people["agent"], status="published", publisher=people["lead"])
    services.archive_article(article, people["lead"])
    db.session.commit()
    clock.move_to(article.review_due + timedelta(days=1))
    assert kb_jobs.remind_reviews_due_daily.call_local() == 0


@pytest.mark.parametrize("title, slug", [
    ("Modem lights: reset", "modem-lights-reset"),
    ("รีเซ็ตรหัสผ่านโมเด็ม", "รีเซ็ตรหัสผ่านโมเด็ม"),  # Thai vowel and tone marks stay
    ("إِعادة تعيين كلمة المرور", "إِعادة-تعيين-كلمة-المرور"),  # and Arabic harakat
    ("می‌روم به خانه", "می\u200cروم-به-خانه"),  # and Persian's zero-width non-joiner
    ("!!!", "article"),
])
def test_slugs_keep_every_mark_of_every_script(title, slug):
    assert slug_for_title(title) == slug


def test_a_long_slug_is_never_cut_between_a_letter_and_its_marks():
    slug = slug_for_title("ก" * 79 + "ี่")
    assert slug == "ก" * 78  # the 79th letter would have lost its vowel and tone mark
