"""Short text for shapes on the canvas. Pure, no Qt."""


def shape_text(shape):
    return "×".join(map(str, shape)) if shape else "scalar"
