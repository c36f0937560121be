"""Reading rendered pages in tests: elements by id or class, their text, table rows.

The page is parsed with the standard library's ``html.parser`` into a small tree, so the helpers
find an element however its attributes are ordered or its content is nested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Start tags that close an open element of the same family (HTML's optional end tags).
IMPLIED_END = {
    "td": {"td", "th"},
    "th": {"td", "th"},
    "tr": {"tr", "td", "th"},
    "li": {"li"},
    "option": {"option"},
    "p": {"p"},
}
INVISIBLE = {"script", "style", "template"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    start_tag: str  # the start tag exactly as written in the page
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False, compare=False)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self, *, tag_gap: str = " ") -> str:
        """The visible text: entities decoded, whitespace collapsed, scripts left out.

        ``tag_gap`` stands where a tag was: a space keeps the texts of neighbouring cells apart,
        "" joins ``1<b>2</b>`` into ``12`` as a browser shows it.
        """
        parts: list[str] = []

        def collect(element: Element) -> None:
            for child in element.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in INVISIBLE:
                    parts.append(tag_gap)
                    collect(child)
                    parts.append(tag_gap)

        collect(self)
        return " ".join("".join(parts).split())

    def find_all(self, tag: str | None = None, *, css_class: str | None = None, **attrs: str):
        """Descendants (and self) with this tag, class and attribute values, in page order."""
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (css_class is None or css_class in e.attrs.get("class", "").split())
            and all(e.attrs.get(name) == value for name, value in attrs.items())
        ]

    def cells(self) -> list[str]:
        """The texts of the ``td`` and ``th`` cells inside this element (a table row)."""
        return [cell.text() for cell in self.find_all() if cell.tag in ("td", "th")]

    def leading_text(self) -> str:
        """The text before the element's first child element (unchanged)."""
        leading = []
        for child in self.children:
            if not isinstance(child, str):
                break
            leading.append(child)
        return "".join(leading)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, "")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        closes = IMPLIED_END.get(tag, set())
        while len(self.stack) > 1 and self.stack[-1].tag in closes:
            self.stack.pop()
        element = self._add(tag, attrs)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self._add(tag, attrs)

    def _add(self, tag, attrs) -> Element:
        parent = self.stack[-1]
        attributes = {name: value or "" for name, value in attrs}
        element = Element(tag, attributes, self.get_starttag_text() or "", parent=parent)
        parent.children.append(element)
        return element

    def handle_endtag(self, tag):
        if any(open_element.tag == tag for open_element in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(content: bytes | str) -> Element:
    builder = _TreeBuilder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    builder.close()
    return builder.root


def by_id(content: bytes | str, element_id: str) -> Element:
    """The first element with ``element_id``, as the browser's ``getElementById`` finds it."""
    found = parse(content).find_all(id=element_id)
    assert found, f"no element #{element_id}"
    return found[0]


def element(content: bytes | str, element_id: str) -> str:
    """The start tag of the element with ``element_id`` as written, and the text right after it."""
    found = by_id(content, element_id)
    return found.start_tag + found.leading_text()


def text_of(content: bytes | str, element_id: str) -> str:
    """The visible text inside the element with ``element_id``, whitespace collapsed."""
    return by_id(content, element_id).text(tag_gap="")


def page_text(content: bytes | str) -> str:
    """The whole page's visible text, whitespace collapsed (for assertions on numbers)."""
    return parse(content).text()


def cell_texts(content: bytes | str, element_id: str) -> list[str]:
    """The texts of the cells (``td`` and ``th``) of the table row with ``element_id``, or of the
    row that holds the element with ``element_id``."""
    row: Element | None = by_id(content, element_id)
    while row is not None and row.tag != "tr":
        row = row.parent
    assert row is not None, f"#{element_id} is not in a table row"
    return row.cells()


def texts_by_class(content: bytes | str, tag: str, css_class: str) -> list[str]:
    """The texts of every ``tag`` element whose class list contains ``css_class``, in page order."""
    return [e.text() for e in parse(content).find_all(tag, css_class=css_class)]
