"""``api-overview``: a short table of a module's public names.

``.. api-overview:: course_lib.optim`` lists every name in the module's
``__all__`` with the first paragraph of its docstring (in a translated
edition, that paragraph's translation from the page's catalogue), each
linked to its full entry further down the page. The table is built from
the module itself, so it cannot fall out of step with the library.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective


def _docstring(module: str, name: str, obj) -> str:
    """The docstring autodoc shows for ``module.name``: a data object's is
    the string literal below its assignment, not its type's docstring."""
    doc = inspect.getdoc(obj) or ""
    if inspect.isclass(obj) or callable(obj) or inspect.ismodule(obj):
        return doc
    try:
        attributes = ModuleAnalyzer.for_module(module).find_attr_docs()
    except PycodeError:
        attributes = {}
    lines = attributes.get(("", name))
    if lines:
        return "\n".join(lines)
    return "" if doc == inspect.getdoc(type(obj)) else doc


def _first_paragraph(doc: str) -> str:
    """A docstring's first paragraph on one line: the message Sphinx makes
    of it on the page."""
    return doc.strip().split("\n\n", 1)[0].replace("\n", " ").strip()


def _plain(text: str) -> str:
    """reST markup reduced to text: a role shows its title (or its target
    without ``~``), literals lose their backquotes, ``\\ `` is nothing."""
    text = re.sub(r":[\w:]+:`([^`<]*?)\s*<[^`>]*>`", r"\1", text)
    text = re.sub(r":[\w:]+:`~?([^`]*)`", r"\1", text)
    return text.replace("``", "").replace("\\ ", "")


def _summary(doc: str, translate=None) -> str:
    """The docstring's first paragraph, translated by ``translate`` (a
    gettext function) if given, with reST markup reduced to text."""
    first = _first_paragraph(doc)
    if translate is not None and first:
        first = translate(first)
    return _plain(first)


def _translator(directive):
    """The gettext function of the page's catalogue in a translated
    edition; None in the English one."""
    config = directive.config
    if not config.language or config.language == "en":
        return None
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    domain = docname_to_domain(directive.env.docname, config.gettext_compact)
    dirs = [os.path.join(directive.env.srcdir, d) for d in config.locale_dirs]
    catalog, found = init_locale(dirs, config.language, domain)
    return catalog.gettext if found else None


def _role(obj) -> str:
    if inspect.isclass(obj):
        return "py:class"
    if callable(obj):
        return "py:func"
    return "py:data"


class ApiOverview(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        name = self.arguments[0]
        module = importlib.import_module(name)
        public = getattr(module, "__all__", None)
        if public is None:
            raise self.error(f"api-overview: {name} has no __all__")
        translate = _translator(self)
        tbody = nodes.tbody()
        for item in public:
            obj = getattr(module, item)
            if inspect.ismodule(obj):
                continue
            link = nodes.paragraph()
            # Only the cross-reference is parsed as markup; the docstring's
            # first line goes in as plain text (it may hold * or `).
            self.state.nested_parse(
                StringList([f":{_role(obj)}:`~{name}.{item}`"], source=name),
                self.content_offset, link)
            summary = _summary(_docstring(name, item, obj), translate)
            tbody += nodes.row("", nodes.entry("", *link.children),
                               nodes.entry("", nodes.paragraph(text=summary)))
        tgroup = nodes.tgroup(cols=2)
        tgroup += nodes.colspec(colwidth=30)
        tgroup += nodes.colspec(colwidth=70)
        tgroup += tbody
        return [nodes.table("", tgroup, classes=["api-overview"])]


def setup(app):
    app.add_directive("api-overview", ApiOverview)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
