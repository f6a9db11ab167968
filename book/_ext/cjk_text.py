"""Mark the book's Chinese text so that it gets the shipped CJK web font.

A table column headed "中文" (the glossary's) is tagged as Chinese: its
cells get the class ``language-zh``, which docutils writes as
``lang="zh"``. ``static/course.css`` gives ``:lang(zh)`` the font made by
``make_cjk_font.py``, and screen readers read the cells as Chinese.
"""

from docutils import nodes

ZH_HEADER = "中文"


def _rows(table):
    for group in table.findall(nodes.thead):
        yield from ((row, True) for row in group.findall(nodes.row))
    for group in table.findall(nodes.tbody):
        yield from ((row, False) for row in group.findall(nodes.row))


def _tag_chinese_columns(app, doctree):
    for table in doctree.findall(nodes.table):
        header = next((row for row, head in _rows(table) if head), None)
        if header is None:
            continue
        columns = [i for i, entry in enumerate(header.children)
                   if entry.astext().strip() == ZH_HEADER]
        for row, _ in _rows(table):
            for i in columns:
                if i < len(row.children):
                    row.children[i]["classes"].append("language-zh")


def setup(app):
    app.connect("doctree-read", _tag_chinese_columns)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
