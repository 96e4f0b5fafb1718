"""Which steps of a traced run to show: `gradviz render --step` and `gradviz animate`."""
from __future__ import annotations

from .errors import GradvizError

PHASES = ("forward", "backward", "both")


def step_index(trace, step):
    """`step` (counted from 0; negative: from the end) as an index into `trace`."""
    count = len(trace)
    if not -count <= step < count:
        raise GradvizError(f"no step {step}: this run has {count} steps, 0 to {count - 1} "
                           f"(or -{count} to -1 from the end)")
    return step % count


def phase_steps(trace, phase):
    """The indices of the steps of `phase` ("forward", "backward" or "both"): a run
    (of a whole graph) has steps of each."""
    return [i for i, step in enumerate(trace) if phase in ("both", step.phase)]
