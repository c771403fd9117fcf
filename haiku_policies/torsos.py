"""MLP torsos.

Shapes: `[...]` any leading batch dims, `O` input dims, `H` output dims.

`w_init` takes an initializer, None or a preset name; see
`haiku_policies.initializers`.
"""

from collections.abc import Callable, Sequence

import haiku as hk
import jax

from haiku_policies import _checks
from haiku_policies import initializers

__all__ = ["MLPTorso"]


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
      w_init: initializers.WInit = None,
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
    sizes = _checks.output_sizes(output_sizes, owner=owner, allow_empty=False)
    _checks.function(activation, owner=owner, arg="activation")
    resolved = initializers.resolve_w_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner=owner)
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
    _checks.float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., O]")
    x = inputs
    last = len(self.output_sizes) - 1
    for i, size in enumerate(self.output_sizes):
      x = hk.Linear(
          size, w_init=self.w_init, b_init=self.b_init, name=f"linear_{i}")(
              x)
      if i < last or self.activate_final:
        if self.layer_norm:
          x = hk.LayerNorm(
              axis=-1,
              create_scale=True,
              create_offset=True,
              name=f"layer_norm_{i}",
          )(
              x)
        x = self.activation(x)
    return x
