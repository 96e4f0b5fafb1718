"""The errors gradviz raises on purpose. Each message names what is wrong and where."""


def check_text(text, what):
    """`text` if it can be saved as UTF-8, else ValueError naming the culprit (a lone
    surrogate such as '\\udc80', which JSON escapes can produce)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{what} holds {text[e.start]!r}, which is not text that can be "
                         "saved (a lone surrogate)") from None
    return text


class GradvizError(Exception):
    """Base class: a problem with the user's graph, file or device, never a bug."""


class GraphError(GradvizError):
    """An invalid graph. `node` and `port` say where, for the editor to outline."""

    def __init__(self, message, node=None, port=None):
        super().__init__(message)
        self.node = node
        self.port = port


class GraphFileError(GradvizError):
    """A graph file that cannot be read; the message names the field or position."""


class GraphFileWarning(UserWarning):
    """A file that loaded, but with something left behind (a newer minor version)."""


class DeviceError(GradvizError):
    """A device that cannot be used, with the reason (no CuPy, no driver, no GPU, ...)."""
