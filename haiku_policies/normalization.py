"""Running mean/variance normalisation of observations.

Shapes: `[...]` any leading batch dims, `O` observation dims.

Pure functions on a `NormalizerState` NamedTuple (`normalizer_init`,
`normalizer_update`, `normalize`) suit jitted training loops that thread their
own state; `RunningNormalizer` wraps them as a Haiku module holding the
statistics in `hk.get_state`.

The update merges the batch statistics into the running ones with the parallel
formula of Chan et al.: for running `(n_a, mean_a, var_a)` and batch
`(n_b, mean_b, var_b)`, with `w = n_b / (n_a + n_b)` and
`delta = mean_b - mean_a`::

  mean = mean_a + w * delta
  var  = (1 - w) * var_a + w * var_b + w * (1 - w) * delta^2.

Batch statistics use the corrected two-pass algorithm: the mean of the
batch, then the deviations `d = x - mean` and `mean += sum(d) / n`,
`M2 = sum(d^2) - sum(d)^2 / n`; the correction removes the first pass's
rounding error, so the batch mean is within an ulp of the exact one (a plain
float32 mean of 1,000 samples around 50 is off by up to 3). The running
variance is a convex combination, so nothing is computed as a difference of
large sums of squares: float32 statistics stay accurate after 10^7 samples
even when the mean is large relative to the spread. See "Updating Formulae and
a Pairwise Algorithm for Computing Sample Variances" by Chan, Golub and LeVeque
(1979, http://i.stanford.edu/pub/cstr/reports/cs/tr/79/773/CS-TR-79-773.pdf)
and, for the corrected two-pass algorithm, "Algorithms for Computing the
Sample Variance: Analysis and Recommendations" by Chan, Golub and LeVeque
(1983, https://doi.org/10.1080/00031305.1983.10483115).

With `axis_name`, the batch statistics are merged across devices with the
same formula and the same correction (`psum` of counts, weighted means, the
weighted deviations from the merged mean, and centred sums of squares) before
the update, so every device under `pmap` ends with identical statistics equal
(to float32 rounding) to those of the concatenated batch.

The count is float32: exact up to 2^24 (~1.7e7) samples. Past that, adding a
batch much smaller than the count rounds back to the same count, so the count
stops growing and each batch keeps the weight `n_batch / count`: the statistics
then follow the data like a slow exponential moving average.
"""

from typing import NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks

__all__ = [
    "NormalizerState",
    "RunningNormalizer",
    "normalize",
    "normalizer_init",
    "normalizer_update",
]

_STATS_DTYPE = jnp.float32


class NormalizerState(NamedTuple):
  """Running statistics of `[..., O]` observations.

  Attributes:
    count: `[]` float32 number of samples seen.
    mean: `[O]` float32 running mean.
    var: `[O]` float32 running (population) variance; 1 before any update.

  >>> from haiku_policies.normalization import normalizer_init
  >>> state = normalizer_init(4)
  >>> float(state.count), state.mean.shape, state.var.tolist()
  (0.0, (4,), [1.0, 1.0, 1.0, 1.0])
  """

  # The field shadows `tuple.count`; renaming it would break checkpoints.
  count: jax.Array  # type: ignore[assignment]
  mean: jax.Array
  var: jax.Array


def normalizer_init(size: int) -> NormalizerState:
  """Returns the statistics before any sample: count 0, mean 0, variance 1.

  Args:
    size: the observation size `O`.

  Returns:
    The initial `NormalizerState`; `normalize` is then the identity (up to
    `epsilon`).

  Raises:
    TypeError: if `size` is not an int (Python or NumPy).
    ValueError: if `size` < 1.

  >>> from haiku_policies.normalization import normalizer_init
  >>> normalizer_init(3).mean.shape
  (3,)
  """
  size = _checks.integer(size, owner="normalizer_init", arg="size")
  return NormalizerState(
      count=jnp.zeros((), _STATS_DTYPE),
      mean=jnp.zeros((size,), _STATS_DTYPE),
      var=jnp.ones((size,), _STATS_DTYPE),
  )


def _check_obs(state: NormalizerState, x: jax.Array, owner: str) -> None:
  size = state.mean.shape[-1]
  _checks.float_input(
      x, owner=owner, arg="x", spec=f"[..., {size}]", last_dim=size)


def normalizer_update(
    state: NormalizerState,
    x: jax.Array,
    *,
    axis_name: str | None = None,
) -> NormalizerState:
  """Merges the samples `x` into the running statistics.

  Args:
    state: the running statistics.
    x: `[..., O]` float samples; every leading position is one sample.
    axis_name: a `pmap`/`vmap` axis name; when given, the statistics of `x` on
      all devices along that axis are merged first, so each device returns the
      same state.

  Returns:
    The updated `NormalizerState`.

  Raises:
    AssertionError: (chex) if `x` has rank 0, the wrong last dim, or a
      non-float dtype.

  >>> import jax.numpy as jnp
  >>> from haiku_policies.normalization import normalizer_init
  >>> from haiku_policies.normalization import normalizer_update
  >>> x = jnp.array([[0.0, 1.0], [2.0, 3.0]])
  >>> state = normalizer_update(normalizer_init(2), x)
  >>> state.mean.tolist(), state.var.tolist()
  ([1.0, 2.0], [1.0, 1.0])
  """
  _check_obs(state, x, "normalizer_update")
  x = x.astype(_STATS_DTYPE)
  axes = tuple(range(x.ndim - 1))
  n_b = jnp.asarray(np.prod(x.shape[:-1]), _STATS_DTYPE)
  # Corrected two-pass (module docstring): the sum of the deviations from the
  # first-pass mean removes its rounding error from the mean and from M2.
  n_safe = jnp.maximum(n_b, 1.0)
  mean_0 = jnp.sum(x, axis=axes) / n_safe
  deviation = x - mean_0
  deviation_sum = jnp.sum(deviation, axis=axes)
  mean_b = mean_0 + deviation_sum / n_safe
  m2_b = jnp.maximum(
      jnp.sum(jnp.square(deviation), axis=axes) -
      jnp.square(deviation_sum) / n_safe, 0.0)
  if axis_name is not None:
    n_local, mean_local = n_b, mean_b
    n_b = jax.lax.psum(n_local, axis_name)
    n_all = jnp.maximum(n_b, 1.0)
    mean_b = jax.lax.psum(n_local * mean_local, axis_name) / n_all
    # The same correction across devices: the weighted deviations from the
    # merged mean sum to its rounding error.
    mean_b = mean_b + jax.lax.psum(n_local *
                                   (mean_local - mean_b), axis_name) / n_all
    m2_b = jax.lax.psum(m2_b + n_local * jnp.square(mean_local - mean_b),
                        axis_name)
  var_b = m2_b / jnp.maximum(n_b, 1.0)
  count = state.count + n_b
  w = n_b / jnp.maximum(count, 1.0)
  delta = mean_b - state.mean
  return NormalizerState(
      count=count,
      mean=state.mean + w * delta,
      var=(1.0 - w) * state.var + w * var_b + w * (1.0 - w) * jnp.square(delta),
  )


def normalize(
    state: NormalizerState,
    x: jax.Array,
    *,
    clip: float | None = None,
    epsilon: float = 1e-8,
) -> jax.Array:
  """Returns `(x - mean) / sqrt(var + epsilon)`, optionally clipped.

  Args:
    state: the running statistics.
    x: `[..., O]` float samples.
    clip: if given, the output is clipped to `[-clip, clip]` (SB3 uses 10).
    epsilon: added to the variance; keeps constant features finite.

  Returns:
    `[..., O]` normalised samples in the dtype of `x`.

  Raises:
    AssertionError: (chex) if `x` has rank 0, the wrong last dim, or a
      non-float dtype.

  >>> import jax.numpy as jnp
  >>> from haiku_policies.normalization import normalize
  >>> from haiku_policies.normalization import normalizer_init
  >>> from haiku_policies.normalization import normalizer_update
  >>> x = jnp.array([[0.0, 1.0], [2.0, 3.0]])
  >>> state = normalizer_update(normalizer_init(2), x)
  >>> normalize(state, x).tolist()
  [[-1.0, -1.0], [1.0, 1.0]]
  """
  _check_obs(state, x, "normalize")
  out = (x.astype(_STATS_DTYPE) - state.mean) * jax.lax.rsqrt(state.var +
                                                              epsilon)
  if clip is not None:
    out = jnp.clip(out, -clip, clip)
  return out.astype(x.dtype)


class RunningNormalizer(hk.Module):
  """Normalises `[..., O]` observations by running statistics in Haiku state.

  A thin wrapper over `normalizer_update` and `normalize`: use it under
  `hk.transform_with_state`. The state entries `count`, `mean` and `var` (see
  `NormalizerState`) live under the module name. With `update=True` the batch
  is merged into the statistics first and then normalised with the updated
  statistics (as SB3's VecNormalize). `init` returns the pristine statistics:
  the batch used to initialise is not counted.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.normalization import RunningNormalizer
  >>> f = hk.transform_with_state(lambda x: RunningNormalizer(clip=5.0)(x))
  >>> x = jnp.arange(12.0).reshape(4, 3)
  >>> params, state = f.init(None, x)
  >>> y, state = f.apply(params, state, None, x)
  >>> float(state["running_normalizer"]["count"]), y.shape
  (4.0, (4, 3))
  """

  def __init__(
      self,
      *,
      clip: float | None = None,
      epsilon: float = 1e-8,
      axis_name: str | None = None,
      name: str | None = None,
  ):
    """Constructs the normaliser.

    Args:
      clip: if given, outputs are clipped to `[-clip, clip]`.
      epsilon: added to the variance before the square root.
      axis_name: a `pmap` axis name to merge statistics across devices.
      name: the module name; defaults to "running_normalizer".

    Raises:
      TypeError: if `clip` or `epsilon` is not a number (or None for `clip`).
      ValueError: if `clip` is not finite and > 0, or `epsilon` is not finite
        and >= 0.
    """
    owner = type(self).__name__
    if clip is not None:
      clip = _checks.positive_float(clip, owner=owner, arg="clip")
    epsilon = _checks.nonnegative_float(epsilon, owner=owner, arg="epsilon")
    super().__init__(name=name)
    self.clip = clip
    self.epsilon = epsilon
    self.axis_name = axis_name

  def __call__(self, x: jax.Array, *, update: bool = True) -> jax.Array:
    """Optionally updates the statistics with `x`, then normalises it.

    Args:
      x: `[..., O]` float observations.
      update: a Python bool; whether to merge `x` into the statistics.

    Returns:
      `[..., O]` normalised observations in the dtype of `x`.

    Raises:
      AssertionError: (chex) if `x` has rank 0, a non-float dtype, or a last
        dim that differs from the stored statistics.
    """
    _checks.float_input(x, owner=type(self).__name__, arg="x", spec="[..., O]")
    size = x.shape[-1]
    state = NormalizerState(
        count=hk.get_state("count", [], _STATS_DTYPE, init=jnp.zeros),
        mean=hk.get_state("mean", [size], _STATS_DTYPE, init=jnp.zeros),
        var=hk.get_state("var", [size], _STATS_DTYPE, init=jnp.ones),
    )
    if update and not hk.running_init():
      state = normalizer_update(state, x, axis_name=self.axis_name)
      hk.set_state("count", state.count)
      hk.set_state("mean", state.mean)
      hk.set_state("var", state.var)
    return normalize(state, x, clip=self.clip, epsilon=self.epsilon)
