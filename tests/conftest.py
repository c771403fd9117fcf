"""Makes the shared test helpers and the example agents importable, and
shares compiled programs between tests.

`tests/` holds the library's tests and their helpers (`reference`,
`multidevice`, `jax_compat`); they need the core dependencies and a few
test-only ones (scipy, gymnasium, dm-env, gymnax), and run at the declared
minimum versions too (`.ci/run`, `.ci/minimum-versions.txt`). `tests/agents/`
holds the tests of the reference agents in `examples/` and their plumbing
(helpers `agent_testing`, `plumbing_testing`); they need the `test` extra. The
repository root makes `examples` (not an installed package) importable as
`from examples import sac`, as the README shows.

Most of the suite's time is XLA compiling the same agents again (a resume test
compiles the straight run's programs twice more; the subprocess tests compile
what the parent already did). JAX's persistent compilation cache, in
`.jax_cache/` at the repository root (git-ignored; delete it freely), lets each
program compile once per machine: in this process, in the other pytest-xdist
workers, and in the subprocesses the multi-device tests start (they inherit
the environment variable). A cached program is the same executable, so results
are unchanged; only compile time goes. Set `JAX_COMPILATION_CACHE_DIR` to use
another folder, or to an empty string to turn the cache off.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
sys.path.insert(0, os.path.join(_HERE, "agents"))
sys.path.insert(0, _HERE)
sys.path.insert(0, _ROOT)

os.environ.setdefault("JAX_COMPILATION_CACHE_DIR",
                      os.path.join(_ROOT, ".jax_cache"))
if "jax" in sys.modules:  # Imported before this file (by a plugin): tell it.
  sys.modules["jax"].config.update("jax_compilation_cache_dir",
                                   os.environ["JAX_COMPILATION_CACHE_DIR"])
