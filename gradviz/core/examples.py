"""The bundled example graphs (resources/examples, installed as gradviz.resources)."""
from __future__ import annotations

from importlib import resources


def examples_folder():
    return resources.files("gradviz.resources") / "examples"


def example_path(name="seed"):
    """Path of a bundled example by name, e.g. 'seed'."""
    return examples_folder() / f"{name}.gradviz"


def example_names():
    return sorted(p.name[:-len(".gradviz")] for p in examples_folder().iterdir()
                  if p.name.endswith(".gradviz"))
