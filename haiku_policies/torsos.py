"""MLP torsos and the weight initialisations RL code uses.

Shapes: `[...]` any leading batch dims, `O` input dims, `H` output dims.

Two initialisation families cover most RL code:

* Orthogonal (PPO): hidden layers with gain `sqrt(2)`, the policy output layer
  with gain `0.01` and the value output layer with gain `1`; biases zero. See
  "The 37 Implementation Details of Proximal Policy Optimization" by Huang et
  al. (2022,
  https://iclr-blog-track.github.io/2022/03/25/ppo-implementation-details/).
* Variance scaling (Acme SAC/TD3/D4PG): `VarianceScaling(1.0, "fan_in",
  "uniform")` on every layer; biases zero.

Every module here accepts `w_init` as an initializer, None (Haiku's default,
a truncated normal with stddev `1/sqrt(fan_in)`), or one of the strings
"orthogonal" and "variance_scaling", which pick the preset for the layer's role
(`HIDDEN_GAIN`, `POLICY_GAIN` or `VALUE_GAIN` for orthogonal).
"""

from collections.abc import Callable, Sequence
import math

import haiku as hk
import jax

from haiku_policies import contracts

__all__ = [
    "HIDDEN_GAIN",
    "MLPTorso",
    "POLICY_GAIN",
    "VALUE_GAIN",
    "orthogonal_init",
    "resolve_w_init",
    "variance_scaling_init",
]

HIDDEN_GAIN = math.sqrt(2.0)
POLICY_GAIN = 0.01
VALUE_GAIN = 1.0

WInit = hk.initializers.Initializer | str | None
_PRESETS = ("orthogonal", "variance_scaling")


def orthogonal_init(gain: float = HIDDEN_GAIN) -> hk.initializers.Initializer:
  """Returns the orthogonal initializer PPO code uses, with gain `gain`.

  Args:
    gain: the scale of the orthogonal matrix; `HIDDEN_GAIN` (sqrt 2) for hidden
      layers, `POLICY_GAIN` (0.01) for policy outputs, `VALUE_GAIN` (1) for
      value outputs.

  Returns:
    A Haiku initializer.
  """
  return hk.initializers.Orthogonal(scale=gain)


def variance_scaling_init() -> hk.initializers.Initializer:
  """Returns Acme's `VarianceScaling(1.0, "fan_in", "uniform")` initializer.

  Returns:
    A Haiku initializer drawing from `U(-sqrt(3/fan_in), sqrt(3/fan_in))`.
  """
  return hk.initializers.VarianceScaling(1.0, "fan_in", "uniform")


def resolve_w_init(
    w_init: WInit, *, gain: float, owner: str
) -> hk.initializers.Initializer | None:
  """Turns a `w_init` argument into a Haiku initializer (or None).

  Args:
    w_init: an initializer, None, "orthogonal" or "variance_scaling".
    gain: the orthogonal gain for this layer's role (ignored otherwise).
    owner: the name of the module, for error messages.

  Returns:
    The initializer; None keeps Haiku's default.

  Raises:
    ValueError: if `w_init` is an unknown string.
    TypeError: if `w_init` is neither a string, None nor callable.
  """
  if w_init is None:
    return None
  if isinstance(w_init, str):
    if w_init == "orthogonal":
      return orthogonal_init(gain)
    if w_init == "variance_scaling":
      return variance_scaling_init()
    raise ValueError(
        f"{owner}: `w_init` must be an initializer or one of {_PRESETS}, "
        f"got w_init={w_init!r}."
    )
  if not callable(w_init):
    raise TypeError(
        f"{owner}: `w_init` must be an initializer, None or one of "
        f"{_PRESETS}, got {type(w_init).__name__}."
    )
  return w_init


def validate_output_sizes(
    output_sizes: Sequence[int], *, owner: str, allow_empty: bool
) -> tuple[int, ...]:
  """Validates layer sizes eagerly; returns them as a tuple of ints.

  Raises:
    TypeError: if `output_sizes` is not a sequence of ints.
    ValueError: if it is empty (and not allowed) or holds a size < 1.
  """
  if isinstance(output_sizes, int) or not isinstance(output_sizes, Sequence):
    raise TypeError(
        f"{owner}: `output_sizes` must be a sequence of ints such as "
        "(256, 256), "
        f"got {output_sizes!r}."
    )
  sizes = tuple(output_sizes)
  if not allow_empty and not sizes:
    raise ValueError(
        f"{owner}: `output_sizes` must hold at least one layer size, got ()."
    )
  for size in sizes:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
      raise ValueError(
          f"{owner}: every entry of `output_sizes` must be an int >= 1, got "
          f"output_sizes={sizes!r}."
      )
  return sizes


class MLPTorso(hk.Module):
  """A multi-layer perceptron with optional LayerNorm: `[..., O] -> [..., H]`.

  Each layer computes `activation(layer_norm(x @ w + b))` where `H` is the last
  entry of `output_sizes`. With `layer_norm=True` a LayerNorm (learned scale and
  offset) sits between every linear layer and its activation, as in the DroQ
  and SBX critics (see "Dropout Q-Functions for Doubly Efficient Reinforcement
  Learning" by Hiraoka et al. (2022, https://arxiv.org/abs/2110.02034)). The
  final layer gets neither LayerNorm nor activation when
  `activate_final=False`. Dropout is not offered.

  Parameters are named `linear_{i}` and `layer_norm_{i}`; these names are part
  of the checkpoint contract.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.torsos import MLPTorso
  >>> net = hk.transform(lambda x: MLPTorso((64, 64), w_init="orthogonal")(x))
  >>> params = net.init(jax.random.PRNGKey(0), jnp.zeros((3, 5)))
  >>> net.apply(params, None, jnp.zeros((7, 3, 5))).shape
  (7, 3, 64)
  """

  def __init__(
      self,
      output_sizes: Sequence[int],
      *,
      activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
      layer_norm: bool = False,
      activate_final: bool = True,
      w_init: WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the torso.

    Args:
      output_sizes: the width of each layer, e.g. (256, 256).
      activation: the nonlinearity after each (normalised) hidden layer.
      layer_norm: whether to apply LayerNorm before each activation.
      activate_final: whether the last layer also gets LayerNorm/activation.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain sqrt 2)
        or "variance_scaling" (Acme).
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "mlp_torso".

    Raises:
      TypeError: if `output_sizes` is not a sequence of ints, `activation` is
        not callable, or `w_init` has the wrong type.
      ValueError: if `output_sizes` is empty or holds a size < 1, or `w_init`
        is an unknown string.
    """
    owner = type(self).__name__
    sizes = validate_output_sizes(output_sizes, owner=owner, allow_empty=False)
    if not callable(activation):
      raise TypeError(
          f"{owner}: `activation` must be callable, got {activation!r}."
      )
    resolved = resolve_w_init(w_init, gain=HIDDEN_GAIN, owner=owner)
    super().__init__(name=name)
    self.output_sizes = sizes
    self.activation = activation
    self.layer_norm = bool(layer_norm)
    self.activate_final = bool(activate_final)
    self.w_init = resolved
    self.b_init = b_init

  def __call__(self, inputs: jax.Array) -> jax.Array:
    """Applies the MLP.

    Args:
      inputs: `[..., O]` float array.

    Returns:
      `[..., H]` features, `H = output_sizes[-1]`.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    contracts.check_float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., O]"
    )
    x = inputs
    last = len(self.output_sizes) - 1
    for i, size in enumerate(self.output_sizes):
      x = hk.Linear(
          size, w_init=self.w_init, b_init=self.b_init, name=f"linear_{i}"
      )(x)
      if i < last or self.activate_final:
        if self.layer_norm:
          x = hk.LayerNorm(
              axis=-1,
              create_scale=True,
              create_offset=True,
              name=f"layer_norm_{i}",
          )(x)
        x = self.activation(x)
    return x
