"""The weight initialisations RL code uses, and the `w_init` argument.

Two initialisation families cover most RL code:

* Orthogonal (PPO): hidden layers with gain `sqrt(2)`, the policy output layer
  with gain `0.01` and the value output layer with gain `1`; biases zero. See
  "The 37 Implementation Details of Proximal Policy Optimization" by Huang et
  al. (2022,
  https://iclr-blog-track.github.io/2022/03/25/ppo-implementation-details/).
* Variance scaling (Acme SAC/TD3/D4PG): `VarianceScaling(1.0, "fan_in",
  "uniform")` on every layer; biases zero.

Every module of the library accepts `w_init` as an initializer, None (Haiku's
default, a truncated normal with stddev `1/sqrt(fan_in)`), or one of the
strings "orthogonal" and "variance_scaling", which pick the preset for the
layer's role (`HIDDEN_GAIN`, `POLICY_GAIN` or `VALUE_GAIN` for orthogonal).
"""

import math

import haiku as hk
import numpy as np

from haiku_policies import _checks

__all__ = [
    "HIDDEN_GAIN",
    "POLICY_GAIN",
    "PRESETS",
    "VALUE_GAIN",
    "WInit",
    "conv_kernel_init",
    "orthogonal_init",
    "resolve_w_init",
    "variance_scaling_init",
]

HIDDEN_GAIN = math.sqrt(2.0)
POLICY_GAIN = 0.01
VALUE_GAIN = 1.0
PRESETS = ("orthogonal", "variance_scaling")

WInit = hk.initializers.Initializer | str | None


def orthogonal_init(gain: float = HIDDEN_GAIN) -> hk.initializers.Initializer:
  """Returns the orthogonal initializer PPO code uses, with gain `gain`.

  Args:
    gain: the scale of the orthogonal matrix; `HIDDEN_GAIN` (sqrt 2) for hidden
      layers, `POLICY_GAIN` (0.01) for policy outputs, `VALUE_GAIN` (1) for
      value outputs.

  Returns:
    A Haiku initializer.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.initializers import orthogonal_init
  >>> f = hk.transform(lambda: orthogonal_init(gain=1.0)([4, 4], jnp.float32))
  >>> w = f.apply({}, jax.random.PRNGKey(0))
  >>> bool(jnp.allclose(w.T @ w, jnp.eye(4), atol=1e-5))
  True
  """
  return hk.initializers.Orthogonal(scale=gain)


def variance_scaling_init() -> hk.initializers.Initializer:
  """Returns Acme's `VarianceScaling(1.0, "fan_in", "uniform")` initializer.

  Returns:
    A Haiku initializer drawing from `U(-sqrt(3/fan_in), sqrt(3/fan_in))`.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.initializers import variance_scaling_init
  >>> f = hk.transform(lambda: variance_scaling_init()([3, 5], jnp.float32))
  >>> w = f.apply({}, jax.random.PRNGKey(0))  # fan_in = 3: |w| <= 1.
  >>> w.shape, bool(jnp.all(jnp.abs(w) <= 1.0))
  ((3, 5), True)
  """
  return hk.initializers.VarianceScaling(1.0, "fan_in", "uniform")


def resolve_w_init(w_init: WInit, *, gain: float,
                   owner: str) -> hk.initializers.Initializer | None:
  """Turns a `w_init` argument into a Haiku initializer (or None).

  Args:
    w_init: an initializer, None, "orthogonal" or "variance_scaling".
    gain: the orthogonal gain for this layer's role (ignored otherwise).
    owner: the name of the module, for error messages.

  Returns:
    The initializer; None keeps Haiku's default.

  Raises:
    TypeError: if `w_init` is neither a string, None nor callable.
    ValueError: if `w_init` is an unknown string.
  """
  if w_init is None:
    return None
  if callable(w_init):
    return w_init
  preset = _checks.one_of(
      w_init,
      PRESETS,
      owner=owner,
      arg="w_init",
      alternative=", an initializer or None",
  )
  if preset == "orthogonal":
    return orthogonal_init(gain)
  return variance_scaling_init()


def conv_kernel_init(w_init: WInit, *, gain: float,
                     owner: str) -> hk.initializers.Initializer:
  """`resolve_w_init` for conv kernels, drawn as the matrix they apply.

  A `[..., C_in, C_out]` kernel multiplies each flattened input patch, so it
  is drawn as its `[prod(...) * C_in, C_out]` matrix and reshaped. For None
  (Haiku's conv default, a truncated normal with stddev `1/sqrt(fan_in)`) and
  the two presets this gives exactly the values Haiku draws for the kernel's
  own shape (the fan-in is the matrix's first side, and JAX draws the
  elements of a shape in row-major order), but a rank-4 draw compiles several
  times slower on CPU than a rank-2 one. An initializer you pass is called
  with the kernel's own shape, unchanged.

  Args:
    w_init: an initializer, None, "orthogonal" or "variance_scaling".
    gain: the orthogonal gain for this layer's role (ignored otherwise).
    owner: the name of the module, for error messages.

  Returns:
    A Haiku initializer for the kernels.

  Raises:
    TypeError: if `w_init` is neither a string, None nor callable.
    ValueError: if `w_init` is an unknown string.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.initializers import conv_kernel_init
  >>> init = conv_kernel_init(None, gain=1.0, owner="doc")
  >>> f = hk.transform(lambda: init([3, 3, 4, 8], jnp.float32))
  >>> f.apply({}, jax.random.PRNGKey(0)).shape
  (3, 3, 4, 8)
  """
  resolved = resolve_w_init(w_init, gain=gain, owner=owner)
  if resolved is not None and w_init is resolved:
    return resolved  # The caller's own: it sees the kernel's shape.

  def init(shape, dtype):
    fan_in = math.prod(shape[:-1])
    draw = resolved or hk.initializers.TruncatedNormal(1.0 / np.sqrt(fan_in))
    return draw((fan_in, shape[-1]), dtype).reshape(shape)

  return init
