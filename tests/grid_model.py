"""A small model of the teacher's grid as the browser holds it, to apply a poll's answers as
htmx 2 does and compare the result with a fresh whole grid.

An answer without `HX-Reswap: none` replaces the whole `#class-grid`. One with it swaps only
out of band: its top-level elements first, then the elements inside its `<template>`s
(`hx-swap-oob="true"` replaces the element of that id, `delete` removes it, `beforeend:#id`
appends the element's children). The model is stricter than htmx: a swap whose target is
missing, an appended id that is already there, or anything in the answer that is not an
out-of-band swap fails the test instead of being dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import httpx

VOID = {"br", "hr", "img", "input", "link", "meta"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def html(self) -> str:
        """The element as text, whitespace-only text left out and other runs of it collapsed
        (a swapped row brings other whitespace around it than a rendered one)."""
        attrs = "".join(
            f" {k}" if v is None else f' {k}="{escape(v)}"' for k, v in self.attrs.items()
        )
        inner = "".join(c.html() if isinstance(c, Element) else _text(c) for c in self.children)
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"

    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    def find(self, element_id: str) -> tuple[Element, Element] | None:
        """(parent, element) of the element with this id, depth first."""
        for child in self.elements():
            if child.attrs.get("id") == element_id:
                return self, child
            found = child.find(element_id)
            if found:
                return found
        return None


def _text(text: str) -> str:
    return escape(re.sub(r"\s+", " ", text), quote=False) if text.strip() else ""


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("fragment", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(html: str) -> Element:
    """The fragment's nodes under a root element named `fragment`."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert builder.open == [builder.root], "unclosed elements"
    return builder.root


class GridPage:
    """The `#class-grid` a page holds, updated by each poll's answer."""

    def __init__(self, whole_grid: str) -> None:
        self.page = Element("body", {})
        self.page.children = [self._grid_of(whole_grid)]
        self.diffs = 0
        self.wholes = 0

    @property
    def version(self) -> int:
        return int(self.grid.find("grid-poll")[1].attrs["data-version"])

    @property
    def grid(self) -> Element:
        return self.page.elements()[0]

    def rows(self) -> list[str]:
        """The rows' ids, in order."""
        body = self.grid.find("grid-body")
        return [] if body is None else [row.attrs["id"] for row in body[1].elements()]

    def html(self) -> str:
        return self.grid.html()

    def apply(self, status: int, headers: httpx.Headers | dict[str, str], body: str) -> None:
        if status == 204:
            return
        assert status == 200, status
        if headers.get("hx-reswap") != "none":
            self.page.children = [self._grid_of(body)]
            self.wholes += 1
            return
        fragment = parse(body)
        templates = [e for e in fragment.elements() if e.tag == "template"]
        for element in fragment.elements():
            if element.tag != "template":
                self._swap(element)
        for template in templates:
            for element in template.elements():
                self._swap(element)
        self.diffs += 1

    def _grid_of(self, html: str) -> Element:
        (grid,) = parse(html).elements()
        assert grid.attrs["id"] == "class-grid"
        return grid

    def _swap(self, element: Element) -> None:
        how = element.attrs.pop("hx-swap-oob", None)
        assert how is not None, f"<{element.tag}> in a diff is not an out-of-band swap"
        style, _, selector = how.partition(":")
        target_id = selector.removeprefix("#") if selector else element.attrs["id"]
        found = self.page.find(target_id)
        assert found is not None, f"no #{target_id} for {how!r}"
        parent, target = found
        if style == "true":
            parent.children[parent.children.index(target)] = element
        elif style == "delete":
            parent.children.remove(target)
        else:
            assert style == "beforeend", style
            for row in element.elements():
                assert self.page.find(row.attrs["id"]) is None, f"#{row.attrs['id']} twice"
            target.children.extend(element.children)
