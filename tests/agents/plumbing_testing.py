"""Helpers shared by the tests of `examples/plumbing/`."""

import contextlib
import dataclasses
import logging
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import optax

from examples.plumbing import flags


@dataclasses.dataclass(frozen=True)
class ToyConfig(flags.CommonConfig):
  """A toy agent's flags."""

  PRESETS = {"wide": dict(hidden_sizes=(512, 512), learning_rate=1e-3)}

  hidden_sizes: tuple[int, ...] = flags.flag((64, 64), "Hidden layer sizes.")
  learning_rate: float = flags.flag(3e-4, "Adam step size (100% of it).")
  batch_size: int = flags.flag(256, "Transitions per update.")

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "learning_rate", "batch_size")


def state(seed):
  """A training state like an agent's: params, optax state, keys, buffer."""
  params = {
      "torso": {
          "w": jax.random.normal(jax.random.PRNGKey(seed), (4, 3)),
          "b": jnp.full((3,), float(seed))
      }
  }
  opt = optax.adam(1e-3)
  opt_state = opt.init(params)
  grads = jax.tree.map(jnp.ones_like, params)
  _, opt_state = opt.update(grads, opt_state, params)
  return {
      "params": params,
      "target_params": params,
      "opt_state": opt_state,
      "key": jax.random.PRNGKey(seed),
      "typed_key": jax.random.key(seed),
      "step": jnp.int32(seed),
      "buffer": {
          "obs": np.full((8, 3), seed, np.float32),
          "action": np.arange(8, dtype=np.int32) + seed
      },
  }


def leaf_bytes(leaf):
  """A leaf's dtype, shape and bytes (typed PRNG keys as their key data)."""
  if jnp.issubdtype(leaf.dtype, jax.dtypes.prng_key):
    leaf = jax.random.key_data(leaf)
  leaf = np.asarray(leaf)
  return leaf.dtype, leaf.shape, leaf.tobytes()


def tempdir(test):
  """A temporary folder removed after `test` (works under pytest too)."""
  tmp = tempfile.TemporaryDirectory()
  test.addCleanup(tmp.cleanup)
  return tmp.name


@contextlib.contextmanager
def quiet_absl():
  """Hides the traceback orbax logs for a save that fails on purpose."""
  logger = logging.getLogger("absl")
  logger.disabled = True
  try:
    yield
  finally:
    logger.disabled = False
