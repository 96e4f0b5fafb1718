"""Sizes on the canvas, in scene units, in one place. Plain numbers (no Qt): the worker
reduces previews to the sizes the painters will draw them at."""

NODE_WIDTH = 180
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
BADGE = 22             # an edge badge: at most this many pixels (and cells) a side
GRID = 20              # the canvas grid
# Below this zoom nodes are drawn compact: a large title and one thumbnail per array,
# no ports or small text (readable, and cheap to paint by the thousand).
DETAIL_ZOOM = 0.4
TITLE_MIN_PX = 12      # a compact node's title is this high on screen ...
TITLE_FLOOR_PX = 9     # ... or down to this, where that lets the whole name fit
COLLAPSED_COMPACT = 66  # a collapsed node's height, zoomed out
COLUMN, ROW = 260, 240  # between nodes placed in columns (formulas)


def panel_width(count):
    """The width of each of `count` heatmaps side by side in a node's body."""
    count = max(count, 1)
    return (NODE_WIDTH - 2 * MARGIN - PANEL_GAP * (count - 1)) / count
