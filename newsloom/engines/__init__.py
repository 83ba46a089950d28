"""Where per-article work runs: in this process and a local process pool, or on a Ray cluster.

An engine maps a pure, picklable function over a stream of inputs and yields the results in
input order; the pipeline keeps the books (ids, store writes) in the calling process.
"""

from newsloom.engines.local import Engine, LocalEngine
from newsloom.engines.ray import RayEngine  # imports ray only when started

__all__ = ["Engine", "LocalEngine", "RayEngine"]
