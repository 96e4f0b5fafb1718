"""Frames and comments: checked values, inverse-pair mutators with events, copies, and
the file (format 1.1, written only when a graph has some, refused precisely)."""
import json

import pytest

import gradviz
from gradviz.core import events, fileformat
from gradviz.core.errors import GraphError, GraphFileError
from gradviz.core.examples import example_path
from gradviz.core.notes import Comment, Frame, bounds, centre_inside, encloses, free_id


def seed_with_notes():
    g = gradviz.load(example_path("seed"))
    g.add_note(Frame("frame1", (-20, -40, 400, 300), "Forward", "blue"))
    g.add_note(Frame("frame2", (0.5, 1e6 - 10, 10, 10), color="#A0B1C2"))
    g.add_note(Comment("comment1", (12.25, -7), "two lines,\nwrapped ✓", width=180))
    return g


def test_mutators_come_in_inverse_pairs_and_say_what_changed():
    g = gradviz.Graph()
    seen = []
    g.subscribe(seen.append)
    revision = g.revision
    frame = g.add_note(Frame("frame1", (0, 0, 100, 80), "A"))
    comment = g.add_note(Comment("comment1", (5, 5), "hi"))
    g.add_note(Frame("frame2", (0, 0, 10, 10)))
    old = g.set_note("frame1", {"title": "B", "color": "red"})
    assert old == {"title": "A", "color": "gray"}
    assert g.frames["frame1"] == Frame("frame1", (0, 0, 100, 80), "B", "red")
    assert g.set_note("frame1", old) == {"title": "B", "color": "red"}
    assert g.frames["frame1"] == frame
    assert g.remove_note("frame1") == frame and list(g.frames) == ["frame2"]
    g.add_note(frame, index=0)   # undo puts it back where it was
    assert list(g.frames) == ["frame1", "frame2"]
    assert g.remove_note("comment1") == comment and not g.comments
    assert [type(e) for e in seen] == [
        events.NoteAdded, events.NoteAdded, events.NoteAdded, events.NoteChanged,
        events.NoteChanged, events.NoteRemoved, events.NoteAdded, events.NoteRemoved]
    assert seen[3].note.title == "B"
    assert g.revision == revision   # no run depends on them


def test_bad_values_are_refused_naming_the_field():
    g = gradviz.Graph()
    g.add_note(Frame("frame1", (0, 0, 100, 80)))
    with pytest.raises(GraphError, match="frame 'frame1': rect: width and height must be "
                                         "positive"):
        g.set_note("frame1", {"rect": (0, 0, 0, 5)})
    with pytest.raises(GraphError, match="color: expected one of gray, red"):
        g.set_note("frame1", {"color": "chartreuse"})
    with pytest.raises(GraphError, match="an id does not change"):
        g.set_note("frame1", {"id": "other"})
    with pytest.raises(GraphError, match="duplicate frame or comment id 'frame1'"):
        g.add_note(Comment("frame1", (0, 0)))
    with pytest.raises(GraphError, match="no frame or comment 'ghost'"):
        g.remove_note("ghost")
    with pytest.raises(ValueError, match="pos: expected \\[x, y\\], 2 numbers"):
        Comment("c", (float("nan"), 0))
    with pytest.raises(ValueError, match="text: 20,001 characters; at most 20,000"):
        Comment("c", (0, 0), "x" * 20_001)
    assert g.frames["frame1"].title == "" and g.frames["frame1"].color == "gray"


def test_free_ids_and_what_a_frame_holds():
    g = seed_with_notes()
    assert free_id(g, "frame") == "frame3" and free_id(g, "comment") == "comment2"
    frame = g.frames["frame1"]
    assert centre_inside(frame, (280, 200, 180, 100))       # centre (370, 250): inside
    assert not centre_inside(frame, (300, 200, 180, 100))   # centre (390, 250): outside
    assert encloses(frame, Frame("f", (0, 0, 50, 50)))
    assert not encloses(frame, Frame("f", (0, 0, 500, 50)))
    assert not encloses(frame, frame)
    assert bounds([(0, 0, 10, 10), (20, 30, 10, 10)], 5, 20) == (-5, -25, 40, 70)


def test_copy_has_the_same_notes_and_changes_apart():
    g = seed_with_notes()
    other = g.copy()
    assert other.frames == g.frames and other.comments == g.comments
    other.set_note("frame1", {"title": "Other"})
    other.remove_note("comment1")
    assert g.frames["frame1"].title == "Forward" and "comment1" in g.comments


def test_notes_round_trip_exactly_in_format_1_1(tmp_path):
    g = seed_with_notes()
    path = tmp_path / "notes.gradviz"
    gradviz.save(g, path)
    again = gradviz.load(path)
    assert again.frames == g.frames and again.comments == g.comments
    assert list(again.frames) == ["frame1", "frame2"]
    assert again.frames["frame2"].color == "#a0b1c2"
    doc = json.loads(path.read_text())
    assert doc["version"] == [1, 1]
    assert doc["frames"][0] == {"id": "frame1", "title": "Forward", "color": "blue",
                                "rect": [-20.0, -40.0, 400.0, 300.0]}
    assert doc["comments"] == [{"id": "comment1", "text": "two lines,\nwrapped ✓",
                                "pos": [12.25, -7.0], "width": 180.0}]
    assert fileformat.dumps(again) == fileformat.dumps(g)


def test_a_graph_without_notes_is_written_as_before():
    g = seed_with_notes()
    for note_id in ["frame1", "frame2", "comment1"]:
        g.remove_note(note_id)
    text = fileformat.dumps(g)
    assert text == example_path("seed").read_text()
    assert "frames" not in text and json.loads(text)["version"] == [1, 0]


def notes_doc(change):
    doc = json.loads(fileformat.dumps(seed_with_notes()))
    change(doc)
    return json.dumps(doc)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["frames"][0].update(rect=[0, 0, 5]), r"frames\[0\].rect: expected "
                                                      r"\[x, y, width, height\], 4 numbers"),
    (lambda d: d["frames"][0].update(rect=[0, 0, 5, 2e6]), r"frames\[0\].rect: expected"),
    (lambda d: d["frames"][1].update(rect=[0, 0, -5, 5]),
     r"frames\[1\].rect: width and height must be positive"),
    (lambda d: d["frames"][0].update(color="#12345"), r"frames\[0\].color: expected one of"),
    (lambda d: d["frames"][0].update(title=7), r"frames\[0\].title: expected a string"),
    (lambda d: d["frames"][0].update(title="\udc80"), r"frames\[0\].title holds '\\udc80'"),
    (lambda d: d["frames"][1].update(id="frame1"), r"frames\[1\].id: duplicate id 'frame1'"),
    (lambda d: d["comments"][0].update(id="frame2"),
     r"comments\[0\].id: duplicate id 'frame2'"),
    (lambda d: d["comments"][0].update(id=""), r"comments\[0\].id: expected a non-empty"),
    (lambda d: d["comments"][0].pop("pos"), r"comments\[0\]: missing field 'pos'"),
    (lambda d: d["comments"][0].update(width=True), r"comments\[0\].width: expected a number"),
    (lambda d: d["comments"][0].update(text="x" * 20_001), r"comments\[0\].text: 20,001"),
    (lambda d: d["comments"][0].update(font="big"), r"comments\[0\]: unknown field 'font'"),
    (lambda d: d.update(frames={}), "frames: expected an array, found an object"),
    (lambda d: d["comments"].append(3), r"comments\[1\]: expected an object, found a number"),
], ids=["short rect", "huge rect", "negative size", "bad color", "title type", "surrogate",
        "duplicate frame", "duplicate across kinds", "empty id", "no pos", "bool width",
        "long text", "unknown field", "not a list", "not an object"])
def test_bad_notes_in_a_file_are_refused_naming_the_field(change, message):
    with pytest.raises(GraphFileError, match=message):
        fileformat.loads(notes_doc(change))


def test_notes_of_a_newer_minor_version_keep_what_is_known():
    text = notes_doc(lambda d: (d.update(version=[1, 9]), d["frames"][0].update(glow=1)))
    with pytest.warns(gradviz.core.errors.GraphFileWarning):
        g = fileformat.loads(text)
    assert g.frames["frame1"].title == "Forward"


def test_a_file_with_notes_matches_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")
    schema = json.loads((example_path("seed").parent.parent / "schema" /
                         "gradviz-1.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(json.loads(fileformat.dumps(seed_with_notes())))
    bad = json.loads(notes_doc(lambda d: d["frames"][0].update(color="chartreuse")))
    assert not validator.is_valid(bad)
