"""Page sections the domains above add to the home page and to profiles, without editing them.

The page asks `page_sections_asked`; each domain answers with its templates and their order.
"""
from core.signals import answers, page_sections_asked


def sections(page):
    """The templates to include on `page` ("home" or "profile"), lower order first."""
    entries = sorted(entry for found in answers(page_sections_asked, None, page=page) for entry in found)
    return list(dict.fromkeys(template for _order, template in entries))
