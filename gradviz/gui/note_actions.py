"""Frames and comments in the window: Edit ▸ Frame Selected (Ctrl+J, Blender's "join
in new frame"; ComfyUI's Ctrl+G checks gradients here) and Add Comment, and the menus
of a frame (rename, color) and of a comment (edit)."""
from __future__ import annotations

from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QColorDialog

from ..core import notes
from . import layout, theme
from .items.comment import CommentItem
from .items.frame import FrameItem


class NoteActions:
    """Mixed into the main window."""

    def _build_note_actions(self):
        self.act_frame = self._action(
            "&Frame Selected", self.frame_selected, ["Ctrl+J"],
            "Put a frame behind the selected nodes; drag its title to move them together")
        self.act_comment = self._action(
            "Add Co&mment", lambda: self.add_comment(self.view.cursor_scene_pos()),
            tip="A text note on the canvas, under the pointer")

    def frame_selected(self):
        """A frame around the selection (nodes, comments, frames), its title ready to
        be typed."""
        items = [self.scene.nodes[n] for n in self.scene.selected_node_ids()] + \
            [self.scene.notes[n] for n in self.scene.selected_note_ids()]
        if not items:
            self.show_message("Select the nodes to frame first (Ctrl+J frames the selection)")
            return
        boxes = [(r.x(), r.y(), r.width(), r.height())
                 for r in (item.sceneBoundingRect() for item in items)]
        frame_id = self.document.add_frame(notes.bounds(boxes, layout.FRAME_PADDING,
                                                        layout.FRAME_TITLE))
        self.select([frame_id])
        self.scene.notes[frame_id].start_renaming()

    def add_comment(self, scene_pos):
        """A new comment at `scene_pos`, or the nearest spot where no node covers it
        (nodes are drawn over comments), its text open for typing."""
        spot = self.scene.free_spot([(0, 0, notes.COMMENT_WIDTH, layout.COMMENT_HEIGHT)],
                                    (round(scene_pos.x()), round(scene_pos.y())))
        comment_id = self.document.add_comment(spot)
        self.select([comment_id])
        self.scene.notes[comment_id].start_editing()
        return comment_id

    def set_frame_color(self, color):
        """The selected frames' color, as one undo step."""
        frames = [n for n in self.scene.selected_note_ids() if n in self.document.graph.frames]
        self.document.set_frame_colors(frames, color)

    def _custom_frame_color(self, item):
        color = QColorDialog.getColor(theme.frame_colors(item.frame.color)[0], self,
                                      "Frame Color")
        if color.isValid():
            self.set_frame_color(color.name())

    def note_menu(self, menu, item):
        """The context menu's entries for a frame or a comment."""
        if isinstance(item, FrameItem):
            menu.addAction("Rename", item.start_renaming)
            colors = menu.addMenu("Color")
            for name in notes.COLORS:
                swatch = QPixmap(14, 14)
                swatch.fill(theme.FRAME[name])
                action = colors.addAction(QIcon(swatch), name.capitalize(),
                                          lambda n=name: self.set_frame_color(n))
                action.setCheckable(True)
                action.setChecked(item.frame.color == name)
            colors.addSeparator()
            colors.addAction("Custom…", lambda: self._custom_frame_color(item))
        elif isinstance(item, CommentItem):
            menu.addAction("Edit", item.start_editing)
        menu.addActions([self.act_duplicate, self.act_copy, self.act_delete])
