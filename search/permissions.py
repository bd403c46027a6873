"""Who may see what the search log reveals (rules registered with accounts)."""
from accounts.permissions import expert_category_ids, rule


@rule("search.use")
def _use_search(user, _obj):
    return True


@rule("search.gaps")
def _see_content_gaps(user, _obj):
    """Content gaps are for whoever can write the missing articles: experts and leads."""
    return expert_category_ids(user) != []
