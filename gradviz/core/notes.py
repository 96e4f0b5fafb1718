"""Frames and comments: notes on the canvas that no run depends on. Plain Python.

A frame is a titled, colored rectangle behind a group of nodes (Blender's frame,
ComfyUI's group); a comment is a text note. Both are frozen values, checked when made:
the graph's `set_note` puts a changed copy in place of the old one, so undo, copies of
the graph and events never share anything that changes. A note's id is unique among
the graph's frames and comments (nodes have ids of their own).

A check that fails raises ValueError whose message starts with the field's name
("rect: ..."), so that a file's message can name the field as `frames[0].rect`."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar

from .errors import GraphFileError, check_text
from .graph import MAX_COORDINATE, MAX_ID_LENGTH
from .jsontypes import expect, known_keys

COLORS = ("gray", "red", "orange", "yellow", "green", "teal", "blue", "purple")
DEFAULT_COLOR = "gray"
MAX_TITLE = 200          # characters in a frame's title
MAX_TEXT = 20_000        # characters in a comment
COMMENT_WIDTH = 240.0    # a new comment's width
_HEX_COLOR = re.compile(r"#[0-9a-f]{6}")


def _coordinates(value, field, what, count):
    """`value` as a tuple of `count` floats, each finite and within ±MAX_COORDINATE."""
    if not isinstance(value, (list, tuple)) or len(value) != count or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            and abs(v) <= MAX_COORDINATE for v in value):
        raise ValueError(f"{field}: expected {what}, {count} numbers from "
                         f"-{MAX_COORDINATE:g} to {MAX_COORDINATE:g}")
    return tuple(float(v) for v in value)


def _text(value, field, limit):
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected a string")
    if len(value) > limit:
        raise ValueError(f"{field}: {len(value):,} characters; at most {limit:,}")
    return check_text(value, field)


def _id(value):
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"id: expected a non-empty string of at most {MAX_ID_LENGTH} "
                         f"characters, found {value!r}")
    return check_text(value, "id")


def _color(value):
    """A preset's name, or #rrggbb (kept in lower case)."""
    color = value.lower() if isinstance(value, str) else value
    if color not in COLORS and not (isinstance(color, str) and _HEX_COLOR.fullmatch(color)):
        raise ValueError(f"color: expected one of {', '.join(COLORS)} or #rrggbb, "
                         f"found {value!r}")
    return color


@dataclass(frozen=True)
class Frame:
    id: str
    rect: tuple                 # (x, y, width, height) in scene units
    title: str = ""
    color: str = DEFAULT_COLOR  # a name from COLORS or "#rrggbb"
    kind: ClassVar[str] = "frame"

    def __post_init__(self):
        x, y, w, h = _coordinates(self.rect, "rect", "[x, y, width, height]", 4)
        if w <= 0 or h <= 0:
            raise ValueError(f"rect: width and height must be positive, found {w:g} x {h:g}")
        object.__setattr__(self, "id", _id(self.id))
        object.__setattr__(self, "rect", (x, y, w, h))
        object.__setattr__(self, "title", _text(self.title, "title", MAX_TITLE))
        object.__setattr__(self, "color", _color(self.color))

    @property
    def pos(self):
        return self.rect[:2]

    def at(self, pos):
        """The changes (for `Graph.set_note`) that move the frame's corner to `pos`."""
        return {"rect": (*pos, *self.rect[2:])}

    @property
    def name(self):
        """How the user knows it (undo steps, messages)."""
        return f"frame {self.title}" if self.title else "frame"


@dataclass(frozen=True)
class Comment:
    id: str
    pos: tuple                  # top-left corner (x, y) in scene units
    text: str = ""
    width: float = COMMENT_WIDTH
    kind: ClassVar[str] = "comment"

    def __post_init__(self):
        object.__setattr__(self, "id", _id(self.id))
        object.__setattr__(self, "pos", _coordinates(self.pos, "pos", "[x, y]", 2))
        object.__setattr__(self, "text", _text(self.text, "text", MAX_TEXT))
        width = self.width
        if isinstance(width, bool) or not isinstance(width, (int, float)) or \
                not 0 < width <= MAX_COORDINATE:
            raise ValueError(f"width: expected a number above 0 and at most "
                             f"{MAX_COORDINATE:g}, found {width!r}")
        object.__setattr__(self, "width", float(width))

    def at(self, pos):
        return {"pos": tuple(pos)}

    @property
    def name(self):
        return "comment"


def free_id(graph, kind):
    """A note id such as 'frame3', taken by no frame or comment of `graph`."""
    i = 1
    while f"{kind}{i}" in graph.frames or f"{kind}{i}" in graph.comments:
        i += 1
    return f"{kind}{i}"


# ---- what a frame holds ---------------------------------------------------------------
def centre_inside(frame, box):
    """Whether the centre of `box` (x, y, w, h) lies inside the frame: a node or a
    comment that does moves with the frame."""
    x, y, w, h = frame.rect
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return x <= cx <= x + w and y <= cy <= y + h


def encloses(frame, other):
    """Whether frame `other` lies wholly inside `frame` (it moves with it)."""
    x, y, w, h = frame.rect
    ox, oy, ow, oh = other.rect
    return other.id != frame.id and x <= ox and y <= oy and ox + ow <= x + w and \
        oy + oh <= y + h


def bounds(boxes, padding, title):
    """The rect (x, y, w, h) of a frame around `boxes` (x, y, w, h each), `padding`
    on every side and room for a title bar of height `title` above."""
    left = min(b[0] for b in boxes) - padding
    top = min(b[1] for b in boxes) - padding - title
    right = max(b[0] + b[2] for b in boxes) + padding
    bottom = max(b[1] + b[3] for b in boxes) + padding
    return (left, top, right - left, bottom - top)


# ---- the file's form (format 1.1) -----------------------------------------------------
_KEYS = {"frames": (Frame, ("id", "title", "color", "rect"), ("id", "rect")),
         "comments": (Comment, ("id", "text", "pos", "width"), ("id", "pos"))}


def dump(graph):
    """{"frames": [...], "comments": [...]}, each only where the graph has some."""
    out = {}
    for field, (_, keys, _) in _KEYS.items():
        mapping = getattr(graph, field)
        if mapping:
            out[field] = [_entry(note, keys) for note in mapping.values()]
    return out


def _entry(note, keys):
    values = (getattr(note, key) for key in keys)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in zip(keys, values)}


def load(graph, doc, lenient):
    """Add the frames and comments of a file's JSON `doc` to `graph`; GraphFileError
    names the field."""
    for field, (cls, allowed, required) in _KEYS.items():
        for i, entry in enumerate(expect(doc.get(field, []), (list,), field, "an array")):
            where = f"{field}[{i}]"
            expect(entry, (dict,), where, "an object")
            entry = known_keys(entry, allowed, required, where, lenient)
            try:
                note = cls(**entry)
            except ValueError as e:
                raise GraphFileError(f"{where}.{e}") from None
            if note.id in graph.frames or note.id in graph.comments:
                raise GraphFileError(f"{where}.id: duplicate id {note.id!r}")
            graph.add_note(note)
