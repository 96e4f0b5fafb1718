"""Colors of the canvas and the app, in one place (sizes are in `layout`).

Two schemes, dark and light: `use(name)` sets the colors below that differ between
them, which every painter reads when it paints. Node headers keep their category
colors and light titles in both; the data's color maps, the legend and the minimap
(dark boxes over the canvas) are the same in both."""
from PySide6.QtGui import QColor, QFont

CANVAS = QColor("#1e1f22")
GRID_MINOR = QColor("#26282c")
GRID_MAJOR = QColor("#2f3136")
NODE_BODY = QColor("#2b2d31")
NODE_BORDER = QColor("#111214")
NODE_SELECTED = QColor("#f0a030")
NODE_ERROR = QColor("#e5484d")
NODE_TARGET = QColor("#46a758")
TEXT = QColor("#e6e6e6")
TEXT_DIM = QColor("#9a9ca3")
EDGE = QColor("#8b8d94")
EDGE_SELECTED = QColor("#f0a030")
PORT = QColor("#c8c9cc")
PORT_OK = QColor("#46a758")
PORT_BAD = QColor("#e5484d")
STALE = QColor("#e0a43a")   # results that do not belong to the current graph
STALE_OPACITY = 0.35        # how dim stale heatmaps are drawn
HEALTH = QColor("#ff8a4c")  # gradient health marks
MARK_BACKGROUND = QColor(17, 18, 20, 220)   # behind the marks in a node's header
TRAINABLE = QColor("#b48cff")   # inputs that training updates
STEP = QColor("#4cc2ff")    # step mode: the current node, partial sums
PENDING_OPACITY = 0.35      # step mode: nodes the run has not reached yet
HIGHLIGHT = QColor("#3b6ea8")
BUTTON = QColor("#34363c")
HEADER_TEXT = QColor("#e6e6e6")   # a node's title on its header's color
HEADER_DIM = QColor("#9a9ca3")    # its op and shape
COMMENT = QColor("#35342c")       # a comment's note paper
COMMENT_BORDER = QColor("#55533f")

# What differs between the schemes: the names above, and the app palette's roles.
SCHEMES = {
    "dark": {"CANVAS": "#1e1f22", "GRID_MINOR": "#26282c", "GRID_MAJOR": "#2f3136",
             "NODE_BODY": "#2b2d31", "NODE_BORDER": "#111214", "TEXT": "#e6e6e6",
             "TEXT_DIM": "#9a9ca3", "EDGE": "#8b8d94", "PORT": "#c8c9cc",
             "BUTTON": "#34363c", "HEADER_DIM": "#9a9ca3", "COMMENT": "#35342c",
             "COMMENT_BORDER": "#55533f", "window": "#2b2d31",
             "base": "#1e1f22", "alternate": "#26282c", "tooltip": "#111214",
             "placeholder": "#7a7c83", "disabled": "#6b6d73", "bright": "#ffffff"},
    "light": {"CANVAS": "#f3f3f5", "GRID_MINOR": "#e7e7ec", "GRID_MAJOR": "#d8d8df",
              "NODE_BODY": "#ffffff", "NODE_BORDER": "#b4b5bd", "TEXT": "#1e1f24",
              "TEXT_DIM": "#5c5e66", "EDGE": "#858791", "PORT": "#4a4c54",
              "BUTTON": "#c9cad1", "HEADER_DIM": "#d5d6dc", "COMMENT": "#fff8d2",
              "COMMENT_BORDER": "#e2d590", "window": "#ececef",
              "base": "#ffffff", "alternate": "#f3f3f5", "tooltip": "#ffffff",
              "placeholder": "#8a8c93", "disabled": "#a3a5ab", "bright": "#ffffff"},
}
scheme = "dark"

CATEGORY = {  # header colors, by op category
    "Inputs": QColor("#2f6f8f"),
    "Math": QColor("#5b4b8a"),
    "Activation": QColor("#7a3f6e"),
    "Reduce": QColor("#7a5230"),
    "Shape": QColor("#4b5a6a"),
    "Linear algebra": QColor("#3b6e5a"),
    "Convolution": QColor("#2e6e6e"),
    "Loss": QColor("#8a3b3b"),
}
DEFAULT_CATEGORY = QColor("#4a4d55")

# Frame colors (`core.notes.COLORS`), the same in both schemes: a frame's title bar,
# light titles on each, like node headers. The body is the color, faint.
FRAME = {
    "gray": QColor("#5f6470"), "red": QColor("#9c4444"), "orange": QColor("#a3622c"),
    "yellow": QColor("#8f7d24"), "green": QColor("#487f4b"), "teal": QColor("#2e7777"),
    "blue": QColor("#3d6896"), "purple": QColor("#74509a"),
}
FRAME_FILL_ALPHA = {"dark": 48, "light": 64}


def frame_colors(color):
    """(title bar, body) colors of a frame whose color is a name or #rrggbb."""
    bar = FRAME.get(color) or QColor(color)
    body = QColor(bar)
    body.setAlpha(FRAME_FILL_ALPHA[scheme])
    return bar, body


def toolbar_style():
    """Tool buttons look like buttons, not labels, and every checked toggle (Auto-run,
    the views) is filled with the highlight color."""
    return f"""
QToolButton {{ border: 1px solid {BUTTON.name()}; border-radius: 3px; padding: 2px 6px; }}
QToolButton:hover {{ border-color: {EDGE.name()}; }}
QToolButton:checked {{ background: {HIGHLIGHT.name()}; color: #e6e6e6;
                       border-color: {HIGHLIGHT.lighter(130).name()}; }}
"""


def use(name):
    """Switch to scheme `name` ("dark" or "light")."""
    global scheme
    for key, value in SCHEMES[name].items():
        if key.isupper():
            globals()[key] = QColor(value)
    scheme = name


def small_font(font):
    """`font` at 85 % (at least 6 pt): op names, captions."""
    small = QFont(font)
    small.setPointSizeF(max(small.pointSizeF() * 0.85, 6))
    return small


def small_mono_font(font):
    """The monospace font at the size of `small_font(font)`: numbers and shapes."""
    mono = QFont("DejaVu Sans Mono")
    mono.setStyleHint(QFont.StyleHint.Monospace)
    mono.setPointSizeF(small_font(font).pointSizeF())
    return mono


def apply_app_style(app):
    """A Fusion palette of the current scheme, matching the canvas."""
    from PySide6.QtGui import QPalette
    app.setStyle("Fusion")
    colors = SCHEMES[scheme]
    p = QPalette()
    roles = QPalette.ColorRole
    for role, color in [(roles.Window, colors["window"]), (roles.WindowText, colors["TEXT"]),
                        (roles.Base, colors["base"]), (roles.AlternateBase, colors["alternate"]),
                        (roles.Text, colors["TEXT"]), (roles.Button, colors["BUTTON"]),
                        (roles.ButtonText, colors["TEXT"]), (roles.Highlight, HIGHLIGHT.name()),
                        (roles.HighlightedText, colors["bright"]),
                        (roles.ToolTipBase, colors["tooltip"]),
                        (roles.ToolTipText, colors["TEXT"]),
                        (roles.PlaceholderText, colors["placeholder"])]:
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor(colors["disabled"]))
    p.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor(colors["disabled"]))
    app.setPalette(p)
