"""``api-overview``: a short table of a module's public names.

``.. api-overview:: course_lib.optim`` lists every name in the module's
``__all__`` with the first line of its docstring, each linked to its full
entry further down the page. The table is built from the module itself, so
it cannot fall out of step with the library.
"""

from __future__ import annotations

import importlib
import inspect
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


def _summary(obj) -> str:
    """The docstring's first paragraph, with reST markup reduced to text."""
    doc = inspect.getdoc(obj) or ""
    first = doc.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    first = re.sub(r":[\w:]+:`~?([^`]*)`", r"\1", first)
    return first.replace("``", "")


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
            tbody += nodes.row("", nodes.entry("", *link.children),
                               nodes.entry("", nodes.paragraph(text=_summary(obj))))
        tgroup = nodes.tgroup(cols=2)
        tgroup += nodes.colspec(colwidth=30)
        tgroup += nodes.colspec(colwidth=70)
        tgroup += tbody
        return [nodes.table("", tgroup, classes=["api-overview"])]


def setup(app):
    app.add_directive("api-overview", ApiOverview)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
