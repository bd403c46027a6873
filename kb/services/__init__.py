"""Knowledge-base services: articles and their lifecycle, revisions, feedback, categories."""
from accounts.permissions import expert_category_ids
from kb.services import notices  # noqa: F401  (the notification kinds of the kb)
from kb.services.articles import (
                                  article_request_bytes,
                                  body_max_chars,
                                  clean_body,
                                  count_by_category,
                                  count_helpful_votes,
                                  count_published_articles,
                                  create_article,
                                  customer_section,
                                  get_article,
                                  get_tag,
                                  list_articles,
                                  parse_tags,
                                  record_article_view,
                                  slug_for_title,
                                  too_much_text,
                                  update_article,
)
from kb.services.feedback import (
                                  count_open_flags,
                                  feedback_comments,
                                  flag_article,
                                  get_feedback,
                                  get_flag,
                                  open_flags_of,
                                  record_feedback,
                                  resolve_flag,
)
from kb.services.home import HOME_LIST_SIZE, my_category_ids, my_drafts, popular_articles, recent_articles
from kb.services.images import (
                                  ARTICLE_ID_NUMBER,
                                  NO_SUCH_IMAGE,
                                  SEND_AN_IMAGE,
                                  ImageLimits,
                                  attach_images,
                                  clean_image,
                                  delete_unreferenced_files,
                                  get_image,
                                  image_json,
                                  image_markdown,
                                  image_max_megabytes,
                                  image_path,
                                  image_request_bytes,
                                  remove_unused_images,
                                  store_image,
                                  too_large_message,
)
from kb.services.lifecycle import (
                                  DEFAULT_REVIEW_INTERVAL_DAYS,
                                  STATUS_LABELS,
                                  archive_article,
                                  category_experts,
                                  publish_article,
                                  request_review,
                                  return_to_draft,
                                  review_comments,
                                  send_back,
                                  submit_for_review,
                                  verification_days,
                                  verification_history,
                                  verify_article,
)
from kb.services.review import articles_awaiting_review, open_flags, overdue_articles, remind_reviews_due
from kb.services.revisions import (
                                  RevisionDiff,
                                  count_revisions,
                                  diff_revisions,
                                  get_revision,
                                  list_revisions,
                                  restore_revision,
)
from kb.services.saved import is_saved, save_article, saved_articles, unsave_article

__all__ = [
    "HOME_LIST_SIZE", "is_saved", "my_category_ids", "my_drafts", "popular_articles", "recent_articles",
    "save_article", "saved_articles", "unsave_article",
    "article_request_bytes", "body_max_chars", "clean_body", "DEFAULT_REVIEW_INTERVAL_DAYS", "STATUS_LABELS",
    "RevisionDiff", "too_much_text",
    "archive_article", "articles_awaiting_review", "remind_reviews_due", "category_experts", "count_by_category",
    "count_helpful_votes", "count_published_articles",
    "count_open_flags", "count_revisions", "create_article", "customer_section", "diff_revisions",
    "expert_category_ids", "feedback_comments", "flag_article", "get_article",
    "get_feedback", "get_flag", "get_revision", "get_tag", "list_articles",
    "list_revisions", "open_flags",
    "open_flags_of", "overdue_articles", "parse_tags", "publish_article", "record_article_view",
    "record_feedback", "request_review", "resolve_flag", "restore_revision", "return_to_draft", "review_comments",
    "send_back", "slug_for_title", "submit_for_review", "update_article",
    "verification_days", "verification_history", "verify_article",
    "ARTICLE_ID_NUMBER", "NO_SUCH_IMAGE", "SEND_AN_IMAGE", "ImageLimits", "attach_images", "clean_image",
    "get_image", "image_json", "image_markdown", "image_max_megabytes", "image_path",
    "image_request_bytes", "store_image",
    "delete_unreferenced_files", "remove_unused_images", "too_large_message",
]
