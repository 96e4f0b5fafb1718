"""Devices: where a run's arrays live. A device is a value chosen per run, never a
global switch. Arrays cross to the host in one place: `Device.to_host`."""
from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import DeviceError


class Device:
    """`xp` is the array-API namespace; `native` the device object passed to creators."""

    def __init__(self, name, xp, native=None, to_host=None, from_host=None, synchronize=None,
                 errstate=None):
        self.name = name
        self.xp = xp
        self.native = native
        self._to_host = to_host or np.asarray
        self._from_host = from_host
        self._synchronize = synchronize
        self._errstate = errstate

    def __repr__(self):
        return f"Device({self.name!r})"

    def asarray(self, host_array, dtype):
        """A host (NumPy) array moved to this device in `dtype` (a name: float64, float32)."""
        if self._from_host:
            return self._from_host(host_array, dtype)
        xp = self.xp
        return xp.asarray(host_array, dtype=getattr(xp, dtype), device=self.native)

    def to_host(self, array) -> np.ndarray:
        return self._to_host(array)

    def synchronize(self):
        if self._synchronize:
            self._synchronize()

    def errstate(self):
        """Overflow and 0/0 give inf and NaN silently (they are shown, not raised)."""
        return self._errstate() if self._errstate else contextlib.nullcontext()


@functools.lru_cache(maxsize=None)
def cpu() -> Device:
    import array_api_compat.numpy as xp
    return Device("cpu", xp, native="cpu",
                  from_host=lambda a, dtype: a if a.dtype == dtype else a.astype(dtype),
                  errstate=lambda: np.errstate(all="ignore"))


@functools.lru_cache(maxsize=None)
def gpu_status():
    """(available, reason), asked once per process."""
    return probe_gpu()


def probe_gpu():
    """(available, reason): whether CuPy can run here and, if not, exactly why.
    `import cupy` can succeed without a GPU; only asking the runtime tells."""
    try:
        import cupy
    except ImportError as e:
        return False, f"CuPy is not installed (pip install 'gradviz[gpu]'): {e}"
    except Exception as e:  # a wheel that does not match the CUDA libraries, ...
        return False, f"CuPy failed to load: {e}"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:
        return False, f"no usable CUDA driver or GPU: {e}"
    if count == 0:
        return False, "no CUDA GPU found"
    return True, f"{count} CUDA GPU(s)"


@functools.lru_cache(maxsize=None)
def gpu(index=0) -> Device:
    available, reason = gpu_status()
    if not available:
        raise DeviceError(f"GPU unavailable: {reason}")
    import cupy
    import array_api_compat.cupy as xp
    count = cupy.cuda.runtime.getDeviceCount()
    if not 0 <= index < count:
        raise DeviceError(f"GPU unavailable: there is no gpu:{index} ({count} GPU(s) found)")
    native = cupy.cuda.Device(index)

    def synchronize():
        native.synchronize()

    return Device(f"gpu:{index}", xp, native=native, to_host=cupy.asnumpy,
                  synchronize=synchronize)


def device_of(array):
    """The device an array lives on, to create new arrays beside it."""
    from array_api_compat import device
    return device(array)


@dataclass(frozen=True)
class DeviceKind:
    """A kind of device a run may choose: `make(index)` gives the Device, `status()`
    says (available, reason) without making one."""
    name: str
    title: str
    make: Callable
    status: Callable
    numbered: bool = False   # several of them: name:N picks one


DEVICE_KINDS = {kind.name: kind for kind in (
    DeviceKind("cpu", "CPU · NumPy", lambda index: cpu(), lambda: (True, "NumPy")),
    DeviceKind("gpu", "GPU · CuPy", gpu, gpu_status, numbered=True),
)}


def device_names():
    """How devices are written: cpu, gpu or gpu:N."""
    names = []
    for kind in DEVICE_KINDS.values():
        names += [kind.name, f"{kind.name}:N"] if kind.numbered else [kind.name]
    return ", ".join(names[:-1]) + " or " + names[-1]


def get_device(spec) -> Device:
    """A Device from its name ('cpu', 'gpu', 'gpu:N'), or a Device itself."""
    if isinstance(spec, Device):
        return spec
    match = re.fullmatch(r"([a-z]+)(?::(\d+))?", str(spec))
    kind = DEVICE_KINDS.get(match.group(1)) if match else None
    if kind is None or (match.group(2) is not None and not kind.numbered):
        raise DeviceError(f"unknown device {spec!r} (use {device_names()})")
    return kind.make(int(match.group(2) or 0))
