"""Convolution and pooling on NCHW arrays. Cross-correlation, as the frameworks do.

No loop runs over pixels: each op loops over the kernel's positions (9 for 3x3) and
works on whole strided slices of the input, so the work is a few large array ops.
maxpool2d sends each window's gradient to its first maximum (row-major order), as
PyTorch does."""
from __future__ import annotations

from ..devices import device_of
from .spec import Code, OpSpec, Param, literal, register


def _pad_amount(padding, kernel):
    if padding == "valid":
        return 0
    if padding == "same":
        return (kernel - 1) // 2
    return padding


def _out_size(size, kernel, stride, pad):
    return (size + 2 * pad - kernel) // stride + 1


def _conv_shape(params, x, w):
    if len(x) != 4 or len(w) != 4:
        raise ValueError(f"conv2d needs x as N,C,H,W and w as O,C,kH,kW; got x {tuple(x)} "
                         f"and w {tuple(w)}")
    if x[1] != w[1]:
        raise ValueError(f"x has {x[1]} channels but w expects {w[1]}")
    s = params["stride"]
    if params["padding"] == "same" and (s != 1 or w[2] % 2 == 0 or w[3] % 2 == 0):
        raise ValueError("padding 'same' needs stride 1 and an odd kernel; give a size")
    ph, pw = _pad_amount(params["padding"], w[2]), _pad_amount(params["padding"], w[3])
    oh, ow = _out_size(x[2], w[2], s, ph), _out_size(x[3], w[3], s, pw)
    if oh < 1 or ow < 1:
        raise ValueError(f"a {w[2]}x{w[3]} kernel does not fit in {x[2]}x{x[3]} "
                         f"(padding {ph}x{pw})")
    return (x[0], w[0], oh, ow)


def _padded(xp, x, ph, pw):
    if not ph and not pw:
        return x
    n, c, h, w = x.shape
    out = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype, device=device_of(x))
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _window(i, j, oh, ow, stride):
    """The slice of a padded input that kernel position (i, j) sees at every output pixel."""
    return (slice(None), slice(None), slice(i, i + stride * (oh - 1) + 1, stride),
            slice(j, j + stride * (ow - 1) + 1, stride))


def _conv2d(xp, x, w, stride, padding):
    o, _, kh, kw = w.shape
    ph, pw = _pad_amount(padding, kh), _pad_amount(padding, kw)
    xp_ = _padded(xp, x, ph, pw)
    oh, ow = _out_size(x.shape[2], kh, stride, ph), _out_size(x.shape[3], kw, stride, pw)
    out = xp.zeros((x.shape[0], oh, ow, o), dtype=x.dtype, device=device_of(x))
    for i in range(kh):
        for j in range(kw):
            # (N, C, oh, ow) . (O, C) over C -> (N, oh, ow, O)
            out += xp.tensordot(xp_[_window(i, j, oh, ow, stride)], w[:, :, i, j],
                                axes=([1], [1]))
    return xp.permute_dims(out, (0, 3, 1, 2))


def _conv2d_vjp(xp, g, out, x, w, stride, padding):
    o, c, kh, kw = w.shape
    ph, pw = _pad_amount(padding, kh), _pad_amount(padding, kw)
    xp_ = _padded(xp, x, ph, pw)
    oh, ow = g.shape[2], g.shape[3]
    gx = xp.zeros(xp_.shape, dtype=x.dtype, device=device_of(x))
    gw = xp.zeros(w.shape, dtype=w.dtype, device=device_of(w))
    for i in range(kh):
        for j in range(kw):
            window = _window(i, j, oh, ow, stride)
            # (N, O, oh, ow) . (N, C, oh, ow) over N, oh, ow -> (O, C)
            gw[:, :, i, j] = xp.tensordot(g, xp_[window], axes=([0, 2, 3], [0, 2, 3]))
            # (N, O, oh, ow) . (O, C) over O -> (N, oh, ow, C)
            part = xp.tensordot(g, w[:, :, i, j], axes=([1], [0]))
            gx[window] = gx[window] + xp.permute_dims(part, (0, 3, 1, 2))
    h, wd = x.shape[2], x.shape[3]
    return gx[:, :, ph:ph + h, pw:pw + wd], gw


# The same in an exported NumPy script (helper functions the templates call).
PAD_AMOUNT = ("pad_amount", '''
def pad_amount(padding, kernel):
    """Zeros added on each side: none for 'valid', half the kernel for 'same'."""
    return {"valid": 0, "same": (kernel - 1) // 2}.get(padding, padding)
''')
ZERO_PAD = ("zero_pad", '''
def zero_pad(x, ph, pw):
    """x (N,C,H,W) with ph rows and pw columns of zeros on each side."""
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out
''')
WINDOW = ("window", '''
def window(i, j, oh, ow, stride):
    """The slice of a (padded) input that kernel position (i, j) sees at every output
    pixel: one strided slice per position, no loop over pixels."""
    return (slice(None), slice(None), slice(i, i + stride * (oh - 1) + 1, stride),
            slice(j, j + stride * (ow - 1) + 1, stride))
''')
CONV2D = ("conv2d", '''
def conv2d(x, w, stride, padding):
    """Cross-correlation of x (N,C,H,W) with w (O,C,kH,kW): one product over the
    channels per kernel position."""
    o, _, kh, kw = w.shape
    ph, pw = pad_amount(padding, kh), pad_amount(padding, kw)
    padded = zero_pad(x, ph, pw)
    oh = (x.shape[2] + 2 * ph - kh) // stride + 1
    ow = (x.shape[3] + 2 * pw - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, o), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            # (N, C, oh, ow) . (O, C) over C -> (N, oh, ow, O)
            out += np.tensordot(padded[window(i, j, oh, ow, stride)], w[:, :, i, j],
                                axes=([1], [1]))
    return np.transpose(out, (0, 3, 1, 2))
''')
CONV2D_GRAD_X = ("conv2d_grad_x", '''
def conv2d_grad_x(g, x, w, stride, padding):
    """Gradient of conv2d for x: g scattered back through w, position by position."""
    o, c, kh, kw = w.shape
    ph, pw = pad_amount(padding, kh), pad_amount(padding, kw)
    oh, ow = g.shape[2], g.shape[3]
    gx = np.zeros((x.shape[0], c, x.shape[2] + 2 * ph, x.shape[3] + 2 * pw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            # (N, O, oh, ow) . (O, C) over O -> (N, oh, ow, C)
            part = np.tensordot(g, w[:, :, i, j], axes=([1], [0]))
            gx[window(i, j, oh, ow, stride)] += np.transpose(part, (0, 3, 1, 2))
    return gx[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
''')
CONV2D_GRAD_W = ("conv2d_grad_w", '''
def conv2d_grad_w(g, x, w, stride, padding):
    """Gradient of conv2d for w: x correlated with g, position by position."""
    kh, kw = w.shape[2], w.shape[3]
    padded = zero_pad(x, pad_amount(padding, kh), pad_amount(padding, kw))
    oh, ow = g.shape[2], g.shape[3]
    gw = np.zeros(w.shape, dtype=w.dtype)
    for i in range(kh):
        for j in range(kw):
            # (N, O, oh, ow) . (N, C, oh, ow) over N, oh, ow -> (O, C)
            gw[:, :, i, j] = np.tensordot(g, padded[window(i, j, oh, ow, stride)],
                                          axes=([0, 2, 3], [0, 2, 3]))
    return gw
''')
CONV_HELPERS = (PAD_AMOUNT, ZERO_PAD, WINDOW, CONV2D, CONV2D_GRAD_X, CONV2D_GRAD_W)
_CONV_ARGS = "stride={stride}, padding={padding}"


def _torch_conv(params, shapes):
    _, _, kh, kw = shapes["w"]
    pad = (_pad_amount(params["padding"], kh), _pad_amount(params["padding"], kw))
    return f"F.conv2d({{x}}, {{w}}, stride={{stride}}, padding={literal(pad)})"


register(OpSpec(
    "conv2d", inputs=("x", "w"), category="Convolution", title="Conv2d",
    doc="2-d cross-correlation of x (N,C,H,W) with w (O,C,kH,kW), zero padding. "
        "Backward: ∂w correlates x with g; ∂x scatters g back through w.",
    params=(Param("stride", "int", 1, "Step between windows", low=1, high=64),
            Param("padding", "padding", "valid",
                  "valid (none), same (output as big as input, stride 1) or a size")),
    shape=_conv_shape, forward=_conv2d, vjp=_conv2d_vjp,
    numpy=Code(f"conv2d({{x}}, {{w}}, {_CONV_ARGS})",
               (f"conv2d_grad_x({{g}}, {{x}}, {{w}}, {_CONV_ARGS})",
                f"conv2d_grad_w({{g}}, {{x}}, {{w}}, {_CONV_ARGS})"), helpers=CONV_HELPERS),
    torch=Code(_torch_conv, imports=("import torch.nn.functional as F",)),
))


def _pool_shape(params, x):
    if len(x) != 4:
        raise ValueError(f"pooling needs x as N,C,H,W; got {tuple(x)}")
    k, s = params["kernel"], params["stride"] or params["kernel"]
    oh, ow = _out_size(x[2], k, s, 0), _out_size(x[3], k, s, 0)
    if oh < 1 or ow < 1:
        raise ValueError(f"a {k}x{k} window does not fit in {x[2]}x{x[3]}")
    return (x[0], x[1], oh, ow)


def _pool_geometry(x, kernel, stride):
    s = stride or kernel
    return s, _out_size(x.shape[2], kernel, s, 0), _out_size(x.shape[3], kernel, s, 0)


def _maxpool(xp, x, kernel, stride):
    s, oh, ow = _pool_geometry(x, kernel, stride)
    best = None
    for i in range(kernel):
        for j in range(kernel):
            part = x[_window(i, j, oh, ow, s)]
            best = part if best is None else xp.maximum(best, part)
    return best


def _maxpool_vjp(xp, g, out, x, kernel, stride):
    s, oh, ow = _pool_geometry(x, kernel, stride)
    gx = xp.zeros_like(x)
    taken = xp.zeros(out.shape, dtype=xp.bool, device=device_of(x))
    for i in range(kernel):
        for j in range(kernel):
            window = _window(i, j, oh, ow, s)
            hit = (x[window] == out) & ~taken   # the first maximum in row-major order
            gx[window] = gx[window] + xp.where(hit, g, xp.zeros_like(g))
            taken = taken | hit
    return (gx,)


def _avgpool(xp, x, kernel, stride):
    s, oh, ow = _pool_geometry(x, kernel, stride)
    total = xp.zeros((x.shape[0], x.shape[1], oh, ow), dtype=x.dtype, device=device_of(x))
    for i in range(kernel):
        for j in range(kernel):
            total += x[_window(i, j, oh, ow, s)]
    return total / (kernel * kernel)


def _avgpool_vjp(xp, g, out, x, kernel, stride):
    s, oh, ow = _pool_geometry(x, kernel, stride)
    gx = xp.zeros_like(x)
    share = g / (kernel * kernel)
    for i in range(kernel):
        for j in range(kernel):
            window = _window(i, j, oh, ow, s)
            gx[window] = gx[window] + share
    return (gx,)


MAXPOOL2D = ("maxpool2d", '''
def maxpool2d(x, kernel, stride):
    """Maximum over kernel x kernel windows of x (N,C,H,W), stride 0 meaning the kernel."""
    s = stride or kernel
    oh, ow = (x.shape[2] - kernel) // s + 1, (x.shape[3] - kernel) // s + 1
    best = None
    for i in range(kernel):
        for j in range(kernel):
            part = x[window(i, j, oh, ow, s)]
            best = part if best is None else np.maximum(best, part)
    return best
''')
MAXPOOL2D_GRAD = ("maxpool2d_grad", '''
def maxpool2d_grad(g, x, out, kernel, stride):
    """Each window's gradient goes to its first maximum (row-major), as in PyTorch."""
    s = stride or kernel
    oh, ow = out.shape[2], out.shape[3]
    gx = np.zeros_like(x)
    taken = np.zeros(out.shape, dtype=bool)
    for i in range(kernel):
        for j in range(kernel):
            win = window(i, j, oh, ow, s)
            hit = (x[win] == out) & ~taken
            gx[win] += np.where(hit, g, 0.0)
            taken = taken | hit
    return gx
''')
AVGPOOL2D = ("avgpool2d", '''
def avgpool2d(x, kernel, stride):
    """Mean over kernel x kernel windows of x (N,C,H,W), stride 0 meaning the kernel."""
    s = stride or kernel
    oh, ow = (x.shape[2] - kernel) // s + 1, (x.shape[3] - kernel) // s + 1
    total = np.zeros((x.shape[0], x.shape[1], oh, ow), dtype=x.dtype)
    for i in range(kernel):
        for j in range(kernel):
            total += x[window(i, j, oh, ow, s)]
    return total / (kernel * kernel)
''')
AVGPOOL2D_GRAD = ("avgpool2d_grad", '''
def avgpool2d_grad(g, x, kernel, stride):
    """Each window's gradient shared equally over its elements."""
    s = stride or kernel
    oh, ow = g.shape[2], g.shape[3]
    gx = np.zeros_like(x)
    share = g / (kernel * kernel)
    for i in range(kernel):
        for j in range(kernel):
            gx[window(i, j, oh, ow, s)] += share
    return gx
''')


def _torch_pool(function):
    def code(params, shapes):
        stride = params["stride"] or params["kernel"]
        return f"F.{function}({{x}}, kernel_size={{kernel}}, stride={stride})"
    return Code(code, imports=("import torch.nn.functional as F",))


POOL_PARAMS = (Param("kernel", "int", 2, "Window size", low=1, high=64),
               Param("stride", "int", 0, "Step between windows (0: the window size)",
                     low=0, high=64))

register(OpSpec(
    "maxpool2d", inputs=("x",), category="Convolution", title="MaxPool2d",
    doc="Maximum over kernel x kernel windows of x (N,C,H,W). Backward: each window's g "
        "goes to its first maximum.", params=POOL_PARAMS,
    shape=_pool_shape, forward=_maxpool, vjp=_maxpool_vjp,
    numpy=Code("maxpool2d({x}, kernel={kernel}, stride={stride})",
               ("maxpool2d_grad({g}, {x}, {out}, kernel={kernel}, stride={stride})",),
               helpers=(WINDOW, MAXPOOL2D, MAXPOOL2D_GRAD)),
    torch=_torch_pool("max_pool2d"),
))

register(OpSpec(
    "avgpool2d", inputs=("x",), category="Convolution", title="AvgPool2d",
    doc="Mean over kernel x kernel windows of x (N,C,H,W). Backward: g shared equally "
        "over each window.", params=POOL_PARAMS,
    shape=_pool_shape, forward=_avgpool, vjp=_avgpool_vjp,
    numpy=Code("avgpool2d({x}, kernel={kernel}, stride={stride})",
               ("avgpool2d_grad({g}, {x}, kernel={kernel}, stride={stride})",),
               helpers=(WINDOW, AVGPOOL2D, AVGPOOL2D_GRAD)),
    torch=_torch_pool("avg_pool2d"),
))
