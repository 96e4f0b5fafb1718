"""Colors of the canvas and the app, in one place (sizes are in `layout`)."""
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

# Tool buttons look like buttons, not labels, and every checked toggle (Auto-run, the
# views) is filled with the highlight color.
TOOLBAR_STYLE = f"""
QToolButton {{ border: 1px solid {BUTTON.name()}; border-radius: 3px; padding: 2px 6px; }}
QToolButton:hover {{ border-color: {EDGE.name()}; }}
QToolButton:checked {{ background: {HIGHLIGHT.name()}; color: {TEXT.name()};
                       border-color: {HIGHLIGHT.lighter(130).name()}; }}
"""


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
    """A dark Fusion palette, matching the canvas."""
    from PySide6.QtGui import QPalette
    app.setStyle("Fusion")
    p = QPalette()
    roles = QPalette.ColorRole
    for role, color in [(roles.Window, "#2b2d31"), (roles.WindowText, "#e6e6e6"),
                        (roles.Base, "#1e1f22"), (roles.AlternateBase, "#26282c"),
                        (roles.Text, "#e6e6e6"), (roles.Button, BUTTON.name()),
                        (roles.ButtonText, "#e6e6e6"), (roles.Highlight, HIGHLIGHT.name()),
                        (roles.HighlightedText, "#ffffff"), (roles.ToolTipBase, "#111214"),
                        (roles.ToolTipText, "#e6e6e6"), (roles.PlaceholderText, "#7a7c83")]:
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor("#6b6d73"))
    p.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor("#6b6d73"))
    app.setPalette(p)
