"""Convolutional torsos for channel-last pixel observations.

Shapes: `[...]` any leading batch dims (`[B]`, `[T, B]` or none), `H`, `W`,
`C` the image height, width and channels (channel-last, `[..., H, W, C]`), `D`
output features.

Pixel scaling, decided by the dtype: uint8 images are scaled to `[0, 1]` by
`1/255` (in float32), bool images (MinAtar's grids) become 0.0 and 1.0, and
float images are used as given, so scale those yourself. Other integer dtypes
are refused: their range is unknown. The leading dims are folded into one
batch dim for the convolutions and unfolded after, so `[T, B, H, W, C]` gives
`[T, B, D]` and one unbatched image `[H, W, C]` gives `[D]`.

`w_init` takes an initializer, None or a preset name (applied to every conv and
linear layer with the hidden gain); see `haiku_policies.initializers`.
"""

from collections.abc import Callable, Sequence
import functools
import math

import haiku as hk
import jax
import jax.numpy as jnp

from haiku_policies import _checks
from haiku_policies import initializers
from haiku_policies import torsos

__all__ = ["ConvTorso", "ImpalaTorso", "NatureCNNTorso"]

_PADDINGS = ("SAME", "VALID")


def _images(inputs: jax.Array, *, owner: str,
            min_size: tuple[int, int]) -> tuple[jax.Array, tuple[int, ...]]:
  """Checks and scales `[..., H, W, C]` pixels; returns `[N, H, W, C]`, `[...]`.

  Raises:
    AssertionError: (chex) as `_checks.image_input`.
  """
  _checks.image_input(inputs, owner=owner, arg="inputs", min_size=min_size)
  x = jnp.asarray(inputs)
  if x.dtype == jnp.uint8:
    x = x.astype(jnp.float32) / 255.0
  elif x.dtype == jnp.bool_:
    x = x.astype(jnp.float32)
  batch_shape = x.shape[:-3]
  return jnp.reshape(x, (math.prod(batch_shape), *x.shape[-3:])), batch_shape


def _unfold(x: jax.Array, batch_shape: tuple[int, ...]) -> jax.Array:
  """Flattens `[N, ...]` features to `[..., D]` with the folded batch dims."""
  return jnp.reshape(x, (*batch_shape, -1))


class ConvTorso(hk.Module):
  """A stack of 2-D convolutions, then optional dense layers: `[..., D]`.

  Layer `i` is `activation(conv(x))` with `output_channels[i]` channels, a
  square kernel of `kernel_shapes[i]`, stride `strides[i]` and `padding`. The
  features are flattened and, if `output_sizes` is not empty, passed through
  an `MLPTorso` with those widths. The last layer (the last dense layer, or
  the last convolution when `output_sizes` is empty) is activated only with
  `activate_final=True`. With "VALID" padding a layer's output size is
  `floor((n - k) / s) + 1`, so each image side must be at least
  `min_size`; with "SAME" it is `ceil(n / s)`.

  For MinAtar's `10x10xC` grids the DQN network of "MinAtar: An
  Atari-Inspired Testbed for Thorough and Reproducible Reinforcement Learning
  Experiments" by Young and Tian (2019, https://arxiv.org/abs/1903.03176) is
  `ConvTorso((16,), padding="VALID", output_sizes=(128,))`.

  Parameters are named `conv_{i}` and `mlp_torso/linear_{i}`; these names are
  part of the checkpoint contract. Pixel scaling: see the module docstring.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.conv_torsos import ConvTorso
  >>> net = hk.without_apply_rng(hk.transform(
  ...     lambda x: ConvTorso((16,), padding="VALID", output_sizes=(128,))(x)))
  >>> grid = jnp.zeros((2, 10, 10, 4), bool)  # [B, H, W, C] MinAtar grids.
  >>> params = net.init(jax.random.PRNGKey(0), grid)
  >>> net.apply(params, jnp.zeros((5, 2, 10, 10, 4), bool)).shape
  (5, 2, 128)
  """

  def __init__(
      self,
      output_channels: Sequence[int],
      *,
      kernel_shapes: int | Sequence[int] = 3,
      strides: int | Sequence[int] = 1,
      padding: str = "SAME",
      output_sizes: Sequence[int] = (),
      activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
      activate_final: bool = True,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the torso.

    Args:
      output_channels: the channels of each convolution, e.g. (16, 32).
      kernel_shapes: the side of each square kernel, one int per layer or
        one for all.
      strides: the stride of each layer, one int per layer or one for all.
      padding: "SAME" or "VALID", for every convolution.
      output_sizes: the widths of the dense layers after flattening; () for
        none.
      activation: the nonlinearity after each layer.
      activate_final: whether the last layer gets the activation.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain sqrt 2)
        or "variance_scaling" (Acme).
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to the class name in snake case
        ("conv_torso").

    Raises:
      TypeError: if a layer argument is not an int or a sequence of ints,
        `activation` is not callable, or `padding` or `w_init` has the wrong
        type.
      ValueError: if `output_channels` is empty, a size, kernel or stride is
        < 1, `kernel_shapes` or `strides` has another length than
        `output_channels`, or `padding` or `w_init` is an unknown string.
    """
    owner = type(self).__name__
    channels = _checks.per_layer(
        output_channels, owner=owner, arg="output_channels")
    kernels = _checks.per_layer(
        kernel_shapes,
        owner=owner,
        arg="kernel_shapes",
        num_layers=len(channels))
    strides = _checks.per_layer(
        strides, owner=owner, arg="strides", num_layers=len(channels))
    padding = _checks.one_of(padding, _PADDINGS, owner=owner, arg="padding")
    sizes = _checks.output_sizes(output_sizes, owner=owner, allow_empty=True)
    _checks.function(activation, owner=owner, arg="activation")
    kernel_init = initializers.conv_kernel_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner=owner)
    resolved = initializers.resolve_w_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner=owner)
    super().__init__(name=name)
    self.output_channels = channels
    self.kernel_shapes = kernels
    self.strides = strides
    self.padding = padding
    self.output_sizes = sizes
    self.activation = activation
    self.activate_final = bool(activate_final)
    self.w_init = resolved  # The linear layers'.
    self.kernel_init = kernel_init
    self.b_init = b_init
    side = 1  # The smallest image side: each layer's input for a 1x1 output.
    if padding == "VALID":
      for kernel, stride in zip(kernels[::-1], strides[::-1]):
        side = (side - 1) * stride + kernel
    self.min_size = (side, side)

  def __call__(self, inputs: jax.Array) -> jax.Array:
    """Applies the torso.

    Args:
      inputs: `[..., H, W, C]` images: uint8 (scaled by 1/255), bool or float
        (used as given).

    Returns:
      `[..., D]` features: `D = output_sizes[-1]`, or the flattened size of
      the last convolution's output when `output_sizes` is empty.

    Raises:
      AssertionError: (chex) if `inputs` has rank < 3, a side below
        `min_size`, or a dtype other than uint8, bool or float.
    """
    x, batch_shape = _images(
        inputs, owner=type(self).__name__, min_size=self.min_size)
    last = len(self.output_channels) - 1
    for i, (channels, kernel, stride) in enumerate(
        zip(self.output_channels, self.kernel_shapes, self.strides)):
      x = hk.Conv2D(
          channels,
          kernel,
          stride=stride,
          padding=self.padding,
          w_init=self.kernel_init,
          b_init=self.b_init,
          name=f"conv_{i}")(
              x)
      if i < last or self.output_sizes or self.activate_final:
        x = self.activation(x)
    x = _unfold(x, batch_shape)
    if self.output_sizes:
      x = torsos.MLPTorso(
          self.output_sizes,
          activation=self.activation,
          activate_final=self.activate_final,
          w_init=self.w_init,
          b_init=self.b_init)(
              x)
    return x


class NatureCNNTorso(ConvTorso):
  """The Nature-DQN network: 3 convolutions and a dense layer, `[..., D]`.

  As in "Human-level control through deep reinforcement learning" by Mnih et
  al. (2015, https://www.nature.com/articles/nature14236): convolutions of 32
  8x8 filters with stride 4, 64 4x4 with stride 2 and 64 3x3 with stride 1,
  all with "VALID" padding, then a dense layer of `output_size` (512) units,
  every layer followed by a ReLU. An 84x84 image becomes 20x20, 9x9 and 7x7;
  the smallest image it accepts is 36x36 (1x1 after the last convolution).
  The paper stacks 4 grey frames as channels; any `C` works.

  Parameters are named `conv_0`, `conv_1`, `conv_2` and `mlp_torso/linear_0`
  (part of the checkpoint contract). Pixel scaling: see the module docstring.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.conv_torsos import NatureCNNTorso
  >>> net = hk.without_apply_rng(hk.transform(lambda x: NatureCNNTorso()(x)))
  >>> frames = jnp.zeros((2, 84, 84, 4), jnp.uint8)  # [B, H, W, C]
  >>> params = net.init(jax.random.PRNGKey(0), frames)
  >>> net.apply(params, frames).shape
  (2, 512)
  """

  def __init__(
      self,
      output_size: int = 512,
      *,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the torso.

    Args:
      output_size: the width `D` of the dense layer.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain sqrt 2)
        or "variance_scaling" (Acme).
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "nature_cnn_torso".

    Raises:
      TypeError: if `output_size` is not an int or `w_init` has the wrong
        type.
      ValueError: if `output_size` < 1 or `w_init` is an unknown string.
    """
    output_size = _checks.integer(
        output_size, owner=type(self).__name__, arg="output_size")
    super().__init__((32, 64, 64),
                     kernel_shapes=(8, 4, 3),
                     strides=(4, 2, 1),
                     padding="VALID",
                     output_sizes=(output_size,),
                     w_init=w_init,
                     b_init=b_init,
                     name=name)


class ImpalaTorso(hk.Module):
  """The IMPALA ResNet: 3 residual stages and a dense layer, `[..., D]`.

  As in "IMPALA: Scalable Distributed Deep-RL with Importance Weighted
  Actor-Learner Architectures" by Espeholt et al. (2018,
  https://arxiv.org/abs/1802.01561). Stage `i` applies a 3x3 convolution
  with `channels[i]` channels, a 3x3 max-pool with stride 2, and
  `num_blocks` residual blocks `x + conv(relu(conv(relu(x))))`; every
  convolution and pool uses "SAME" padding, so each stage halves the sides
  (rounding up) and any image size works. Then ReLU, flatten, and a dense
  layer of `output_size` (256) units with a ReLU.

  Parameters are named `stage_{i}_conv`, `stage_{i}_block_{j}_conv_{k}`
  (`k` in 0, 1) and `mlp_torso/linear_0` (part of the checkpoint contract).
  Pixel scaling: see the module docstring.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.conv_torsos import ImpalaTorso
  >>> net = hk.without_apply_rng(hk.transform(lambda x: ImpalaTorso()(x)))
  >>> frames = jnp.zeros((3, 2, 16, 16, 3), jnp.uint8)  # [T, B, H, W, C]
  >>> params = net.init(jax.random.PRNGKey(0), frames)
  >>> net.apply(params, frames).shape
  (3, 2, 256)
  """

  def __init__(
      self,
      channels: Sequence[int] = (16, 32, 32),
      output_size: int = 256,
      *,
      num_blocks: int = 2,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the torso.

    Args:
      channels: the channels of each stage.
      output_size: the width `D` of the dense layer.
      num_blocks: the residual blocks per stage.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain sqrt 2)
        or "variance_scaling" (Acme).
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "impala_torso".

    Raises:
      TypeError: if `channels` is not a sequence of ints, `output_size` or
        `num_blocks` is not an int, or `w_init` has the wrong type.
      ValueError: if `channels` is empty or holds a size < 1, `output_size`
        < 1, `num_blocks` < 0, or `w_init` is an unknown string.
    """
    owner = type(self).__name__
    channels = _checks.per_layer(channels, owner=owner, arg="channels")
    output_size = _checks.integer(output_size, owner=owner, arg="output_size")
    num_blocks = _checks.integer(
        num_blocks, owner=owner, arg="num_blocks", minimum=0)
    kernel_init = initializers.conv_kernel_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner=owner)
    resolved = initializers.resolve_w_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner=owner)
    super().__init__(name=name)
    self.channels = channels
    self.output_size = output_size
    self.num_blocks = num_blocks
    self.w_init = resolved  # The linear layers'.
    self.kernel_init = kernel_init
    self.b_init = b_init

  def __call__(self, inputs: jax.Array) -> jax.Array:
    """Applies the torso.

    Args:
      inputs: `[..., H, W, C]` images: uint8 (scaled by 1/255), bool or float
        (used as given).

    Returns:
      `[..., D]` features, `D = output_size`.

    Raises:
      AssertionError: (chex) if `inputs` has rank < 3 or a dtype other than
        uint8, bool or float.
    """
    x, batch_shape = _images(inputs, owner=type(self).__name__, min_size=(1, 1))
    conv = functools.partial(
        hk.Conv2D, kernel_shape=3, w_init=self.kernel_init, b_init=self.b_init)
    for i, channels in enumerate(self.channels):
      x = conv(channels, name=f"stage_{i}_conv")(x)
      x = hk.max_pool(x, window_shape=3, strides=2, padding="SAME")
      for j in range(self.num_blocks):
        block = f"stage_{i}_block_{j}"
        h = conv(channels, name=f"{block}_conv_0")(jax.nn.relu(x))
        h = conv(channels, name=f"{block}_conv_1")(jax.nn.relu(h))
        x = x + h
    x = _unfold(jax.nn.relu(x), batch_shape)
    return torsos.MLPTorso((self.output_size,),
                           w_init=self.w_init,
                           b_init=self.b_init)(
                               x)
