"""The one-way house: product modules import only downward in the layer order of SPEC section 3.

The import graph is read from the source (every import statement, also those inside
functions), so a lazy import cannot hide an upward dependency.
"""
import ast
from pathlib import Path

import pytest

from core import signals

ROOT = Path(__file__).resolve().parent.parent
NOT_PRODUCT = {"tests", "migrations", "translations", "templates", "static", "instance"}
# Bottom to top; a module may import its own layer's modules and those of the layers below.
LAYERS = (
    {"config", "extensions", "database", "errors", "security", "jobs"},
    {"core"},
    {"accounts"},
    {"search"},
    {"kb"},
    {"recognition"},
    {"mentoring"},
    {"demo"},
    {"app", "gunicorn"},  # gunicorn.conf.py: the server's settings and hooks, beside the factory
    {"bench"},  # drives a whole application (create_app) to measure it; nothing imports it
)


def product_modules():
    """{dotted module name: path} of every product module."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_PRODUCT or parts[0].startswith(".") or "site-packages" in parts:
            continue
        name = ".".join(parts)[:-3]
        modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = product_modules()


def _known(name):
    """The longest product module `name` refers to (a name inside a module counts as it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name, path):
    """The product modules `name` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(_known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(_known(base + "." + alias.name))
    found.discard(None)
    found.discard(name)
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def layer_of(name):
    top = name.split(".")[0]
    return next(index for index, layer in enumerate(LAYERS) if top in layer)


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_graph_covers_every_layer():
    tops = {name.split(".")[0] for name in MODULES}
    assert tops == set().union(*LAYERS)
    assert sum(len(targets) for targets in GRAPH.values()) > 300  # the parser sees the imports


def test_no_module_imports_a_higher_layer():
    upward = sorted("%s -> %s" % (name, target) for name, targets in GRAPH.items() for target in targets
                    if layer_of(target) > layer_of(name))
    assert upward == []


def test_there_are_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", ["kb", "search", "core", "accounts"])
def test_lower_packages_know_nothing_of_recognition_or_mentoring(package):
    reached = {target.split(".")[0] for name, targets in GRAPH.items()
               if name.split(".")[0] == package for target in targets}
    assert not reached & {"recognition", "mentoring"}


def test_no_wiring_by_module_name():
    offenders = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(module == "importlib" or module.startswith("importlib.") for module in names):
                offenders.append(name)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
                offenders.append(name)
    assert offenders == []


def _receivers(signal):
    return sorted("%s.%s" % (receiver.__module__, receiver.__qualname__)
                  for receiver in signal.receivers_for(object()))


# Who listens to what: the whole event wiring of the product, in one place.
WIRING = {
    "article-published": ["accounts.webhooks.events.on_article_published",
                          "recognition.awards.services.award_for_published_article"],
    "article-verified": ["accounts.webhooks.events.on_article_verified",
                         "recognition.awards.services.award_for_verified_article"],
    "feedback-given": ["recognition.awards.services.award_for_helpful_feedback"],
    "question-changed": ["mentoring.questions.services.resync_search_document"],
    "question-asked": ["accounts.webhooks.events.on_question_asked"],
    "answer-posted": ["accounts.webhooks.events.on_answer_posted"],
    "answer-accepted": ["accounts.webhooks.events.on_answer_accepted"],
    "title-awarded": ["accounts.webhooks.events.on_title_awarded"],
    "database-initialised": ["recognition.awards.services.create_default_badges",
                             "search.setup.build_index_if_needed"],
    "database-restored": ["search.setup.rebuild_after_restore"],
    "expertise-asked": ["recognition.awards.services.answer_expertise"],
    "profile-requested": ["recognition.awards.profiles.profile_json"],
    "page-sections-asked": ["kb.views.home.page_sections",
                            "mentoring.mentorships.views.context.page_sections",
                            "mentoring.questions.views.context.page_sections",
                            "recognition.awards.views.page_sections",
                            "recognition.impact.views.page_sections"],
    "work-categories-asked": ["recognition.services.work.answer_work_categories"],
    "contributions-asked": ["mentoring.questions.services.answer_contributions"],
    "content-asked": ["mentoring.questions.services.answer_content"],
    "followable-asked": ["kb.services.following.followable",
                         "mentoring.questions.services.following.followable"],
    "readiness-asked": ["core.ops.queue.answer_readiness", "search.ops.answer_readiness"],
    "gauges-asked": ["core.ops.queue.answer_gauges", "search.ops.answer_gauges"],
}


def test_every_signal_has_the_listeners_the_wiring_lists(app):
    assert {name: _receivers(signal) for name, signal in signals.events.items()} == WIRING
