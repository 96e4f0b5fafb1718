"""Elementwise ops, binary ones with NumPy broadcasting. Rules return gradients in the
output's shape; the engine sums them back to each input's shape.

Where a derivative is undefined gradviz follows PyTorch: relu'(0) = 0; log'(a) = 1/a,
so log of 0 gives an infinite and of a negative number a negative gradient (and the
forward value is NaN or -Inf, shown as such); pow with exponent 0 has gradient 0."""
from __future__ import annotations

from ..shapes import broadcast_shapes
from .spec import Code, OpSpec, Param, broadcast_grads, literal, register


def _broadcast(params, *shapes):
    return broadcast_shapes(*shapes)


def _same(params, a):
    return a


def binary(name, title, doc, forward, vjp, operator, grads):
    """An op `a <operator> b` (so its code reads the same in NumPy and PyTorch); `grads`
    are its gradients as code (see Code), in the broadcast shape."""
    code = f"{{a}} {operator} {{b}}"
    register(OpSpec(name, inputs=("a", "b"), title=title, doc=doc, shape=_broadcast,
                    forward=forward, vjp=vjp, operator=operator,
                    numpy=Code(code, grads, grad_shapes=broadcast_grads), torch=Code(code)))


def unary(name, title, doc, forward, vjp, numpy, torch, category="Math", params=(),
          flat=(), operator=""):
    register(OpSpec(name, inputs=("a",), title=title, doc=doc, shape=_same, forward=forward,
                    vjp=vjp, category=category, params=params, flat=flat, operator=operator,
                    numpy=numpy, torch=torch))


binary("add", "Add", "a + b, elementwise with broadcasting. Backward: ∂a = g, ∂b = g.",
       lambda xp, a, b: a + b,
       lambda xp, g, out, a, b: (g, g), "+",  # passed on, not copied: never mutated
       ("{g}", "{g}"))
binary("sub", "Subtract", "a − b, elementwise with broadcasting. Backward: ∂a = g, ∂b = −g.",
       lambda xp, a, b: a - b,
       lambda xp, g, out, a, b: (g, -g), "-", ("{g}", "-{g}"))
binary("mul", "Multiply", "a * b, elementwise with broadcasting. Backward: ∂a = g·b, ∂b = g·a.",
       lambda xp, a, b: a * b,
       lambda xp, g, out, a, b: (g * b, g * a), "*", ("{g} * {b}", "{g} * {a}"))
binary("div", "Divide", "a / b, elementwise with broadcasting. Backward: ∂a = g/b, ∂b = −g·a/b².",
       lambda xp, a, b: a / b,
       lambda xp, g, out, a, b: (g / b, -g * out / b), "/", ("{g} / {b}", "-{g} * {out} / {b}"))

unary("neg", "Negate", "−a. Backward: ∂a = −g.", lambda xp, a: -a, lambda xp, g, out, a: (-g,),
      Code("-{a}", ("-{g}",)), Code("-{a}"), operator="unary -")
unary("exp", "Exp", "e to the power a. Backward: ∂a = g·eᵃ.", lambda xp, a: xp.exp(a),
      lambda xp, g, out, a: (g * out,),
      Code("np.exp({a})", ("{g} * {out}",)), Code("torch.exp({a})"))
unary("log", "Log", "Natural logarithm. Backward: ∂a = g/a.", lambda xp, a: xp.log(a),
      lambda xp, g, out, a: (g / a,),
      Code("np.log({a})", ("{g} / {a}",)), Code("torch.log({a})"))
unary("square", "Square", "a². Backward: ∂a = 2a·g.", lambda xp, a: a * a,
      lambda xp, g, out, a: (2 * a * g,),
      Code("{a} * {a}", ("2 * {a} * {g}",)), Code("{a} * {a}"))
unary("tanh", "Tanh", "Hyperbolic tangent. Backward: ∂a = g·(1 − tanh²a).",
      lambda xp, a: xp.tanh(a),
      lambda xp, g, out, a: (g * (1 - out * out),),
      Code("np.tanh({a})", ("{g} * (1 - {out} * {out})",)), Code("torch.tanh({a})"),
      category="Activation", flat=("saturated", lambda xp, out: xp.abs(out) > 0.99))


def _sigmoid(xp, a):
    # exp of a non-positive number only: no overflow for large |a|.
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))


# The same in an exported NumPy script.
SIGMOID = ("sigmoid", '''
def sigmoid(a):
    """1 / (1 + e^-a), computed with exp of non-positive numbers only (no overflow)."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))
''')

unary("sigmoid", "Sigmoid", "1 / (1 + e^−a). Backward: ∂a = g·σ(a)·(1 − σ(a)).", _sigmoid,
      lambda xp, g, out, a: (g * out * (1 - out),),
      Code("sigmoid({a})", ("{g} * {out} * (1 - {out})",), helpers=(SIGMOID,)),
      Code("torch.sigmoid({a})"), category="Activation",
      flat=("saturated", lambda xp, out: (out < 0.01) | (out > 0.99)))
unary("relu", "ReLU",
      "max(a, 0). Backward: ∂a = g where a > 0, else 0 (0 at a = 0, as in PyTorch).",
      lambda xp, a: xp.where(a > 0, a, xp.zeros_like(a)),
      lambda xp, g, out, a: (xp.where(a > 0, g, xp.zeros_like(g)),),
      Code("np.where({a} > 0, {a}, 0.0)", ("np.where({a} > 0, {g}, 0.0)",)),
      Code("torch.relu({a})"), category="Activation",
      flat=("dead", lambda xp, out: out == 0))


def _pow_vjp(xp, g, out, a, exponent):
    if exponent == 0:
        return (xp.zeros_like(g),)
    return (g * exponent * a ** (exponent - 1),)


def _pow_grad_code(params, shapes):
    if params["exponent"] == 0:
        return "np.zeros_like({g})"
    return "{g} * {exponent} * {a} ** " + literal(params["exponent"] - 1)


unary("pow", "Power", "a to a constant power p. Backward: ∂a = g·p·aᵖ⁻¹.",
      lambda xp, a, exponent: a ** exponent, _pow_vjp,
      Code("{a} ** {exponent}", (_pow_grad_code,)), Code("{a} ** {exponent}"),
      params=(Param("exponent", "float", 2.0, "The constant exponent"),), operator="**")
