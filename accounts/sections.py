"""Page sections other domains add to the home page and to profiles, without editing them.

A domain registers a template (and an order) once at import; the page includes each in turn.
"""
_sections = {"home": [], "profile": []}


def register_section(page, template, order=50):
    """Add `template` to `page` ("home" or "profile"); lower `order` comes first."""
    entries = _sections[page]
    if all(existing != template for _, existing in entries):
        entries.append((order, template))
        entries.sort()


def sections(page):
    """The templates to include on `page`, in order."""
    return [template for _, template in _sections[page]]
