"""Sizes on the canvas, in scene units, in one place. Plain numbers (no Qt): the worker
reduces previews to the sizes the painters will draw them at."""
from dataclasses import dataclass

NODE_WIDTH = 180       # a node's own width; the user may resize it
MIN_NODE_WIDTH = 140   # resized, it keeps at least this much (its title and op)
HEADER = 26            # a node's title bar
PORT_ROW = 22          # one input port per row under the header
PORT_RADIUS = 6
BODY_LINE = 17         # one line of text in a node's body
MARGIN = 8             # between a node's edge and its body
PANEL_GAP = 6          # between heatmaps side by side
PANEL_HEIGHT = 110     # the tallest a heatmap gets
SCALAR_HEIGHT = 24     # a scalar's single cell
CAPTION = 16           # the line under each heatmap
MAX_CELL = 28.0        # the biggest a heatmap cell gets
MIN_CELL = 3           # the smallest: longer arrays are shown as block means
MIN_PANEL_HEIGHT = SCALAR_HEIGHT   # a resized node's heatmaps keep at least this
RESIZE_GRIP = 14       # the square in a node's bottom-right corner that resizes it
BADGE = 22             # an edge badge: at most this many pixels (and cells) a side
REROUTE_RADIUS = 5     # a reroute point's dot
GRID = 20              # the canvas grid
# Below this zoom nodes are drawn compact: a large title and one thumbnail per array,
# no ports or small text (readable, and cheap to paint by the thousand).
DETAIL_ZOOM = 0.4
TITLE_MIN_PX = 12      # a compact node's title is this high on screen ...
TITLE_FLOOR_PX = 9     # ... or down to this, where that lets the whole name fit
COLLAPSED_COMPACT = 66  # a collapsed node's height, zoomed out
FRAME_TITLE = 30       # a frame's title bar
FRAME_PADDING = 30     # around the nodes a new frame surrounds
FRAME_GRIP = 16        # the corner that resizes a frame
FRAME_MIN = (120, 60)  # the smallest a frame is resized to
COMMENT_PADDING = 8    # between a comment's edge and its text
COMMENT_HEIGHT = 60    # room a new comment is placed with (a few lines)
COLUMN, ROW = 260, 240  # between nodes placed in columns (formulas)


@dataclass(frozen=True)
class Room:
    """Where each heatmap of a node's body goes: its width and height at most, and the
    largest cell."""
    width: float
    height: float
    cell: float

    def grid(self):
        """(rows, cols): the most cells a heatmap shows; longer arrays become block
        means (the worker reduces them to this)."""
        return int(self.height // MIN_CELL), int(self.width // MIN_CELL)


def body_top(inputs):
    """Where the body starts in a node with `inputs` input ports."""
    return HEADER + PORT_ROW * max(inputs, 1) + 4


def node_width(size):
    """The width of a node whose user-given size is `size` (None: its own)."""
    return NODE_WIDTH if size is None else max(size[0], MIN_NODE_WIDTH)


def sized_height(size, inputs):
    """The height of a resized node: as given, with room for a small heatmap at least."""
    return max(size[1], body_top(inputs) + MIN_PANEL_HEIGHT + CAPTION + MARGIN)


def room(count, size=None, inputs=1):
    """The Room of each of `count` heatmaps side by side in a node's body. A resized
    node's cells grow with its width."""
    count = max(count, 1)
    width = node_width(size)
    panel = (width - 2 * MARGIN - PANEL_GAP * (count - 1)) / count
    if size is None:
        return Room(panel, PANEL_HEIGHT, MAX_CELL)
    height = sized_height(size, inputs) - body_top(inputs) - CAPTION - MARGIN
    return Room(panel, height, MAX_CELL * width / NODE_WIDTH)
