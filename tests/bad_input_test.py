"""A catalogue of bad inputs across modules, helpers and distributions.

Each case asserts the exception type and the key words of its message: the
owner (module or function), the argument in backticks and the offending value
or shape. Constructor errors are `ValueError`/`TypeError`; call-time shape and
dtype errors are chex `AssertionError`s and fire under `jit` as well. One kind
of mistake, one type, in every owner: a wrong type (a float where an int is
due, a string where a float is due, a traced bound) is a `TypeError`, a wrong
value a `ValueError`; NumPy ints count as ints everywhere. Every public name
of `haiku_policies` that checks its input owns at least one case.
"""

import dataclasses
from collections.abc import Callable

from absl.testing import absltest
from absl.testing import parameterized
from dm_env import specs as dm_specs
import gymnasium as gym
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

import haiku_policies
from haiku_policies.conv_torsos import ConvTorso
from haiku_policies.conv_torsos import ImpalaTorso
from haiku_policies.conv_torsos import NatureCNNTorso
from haiku_policies.cores import GRUCore
from haiku_policies.cores import LSTMCore
from haiku_policies.critics import CriticEnsemble
from haiku_policies.critics import QHead
from haiku_policies.critics import QuantileCriticEnsemble
from haiku_policies.critics import ValueHead
from haiku_policies.distributions import Beta
from haiku_policies.distributions import DiagNormal
from haiku_policies.distributions import GSDENormal
from haiku_policies.distributions import gsde_noise_init
from haiku_policies.distributions import gsde_noise_update
from haiku_policies.distributions import MultiCategorical
from haiku_policies.distributions import TanhNormal
from haiku_policies.heads_beta import BetaHead
from haiku_policies.heads_categorical import CategoricalHead
from haiku_policies.heads_categorical import MultiCategoricalHead
from haiku_policies.heads_deterministic import DeterministicHead
from haiku_policies.heads_deterministic import add_exploration_noise
from haiku_policies.heads_deterministic import add_target_smoothing_noise
from haiku_policies.heads_gaussian import GaussianHead
from haiku_policies.heads_gaussian import TanhGaussianHead
from haiku_policies.heads_gsde import GSDEHead
from haiku_policies.normalization import RunningNormalizer
from haiku_policies.normalization import normalize
from haiku_policies.normalization import normalizer_init
from haiku_policies.normalization import normalizer_update
from haiku_policies.specs import action_bounds
from haiku_policies.specs import action_nvec
from haiku_policies.std_transforms import make_std_transform
from haiku_policies.torsos import MLPTorso

KEY = jax.random.PRNGKey(0)


def _build(make: Callable[[], hk.Module]) -> None:
  """Constructs a module inside a transform (constructor errors)."""
  hk.transform(make).init(KEY)


def _call(make, *inputs, jit=False) -> None:
  """Initialises `make()(*inputs)` (call-time errors), optionally under jit."""
  init = hk.transform(lambda *xs: make()(*xs)).init
  if jit:
    init = jax.jit(init)
  init(KEY, *inputs)


def _zeros(*shape, dtype=jnp.float32):
  return jnp.zeros(shape, dtype)


def _core_step(core_cls, x, is_first, state, *, unroll=False, jit=False):
  """Initialises one step (or an unroll) of `core_cls(4)` on these inputs."""

  def forward(x, is_first, state):
    core = core_cls(4)
    return (core.unroll if unroll else core)((x, is_first), state)

  init = hk.transform(forward).init
  if jit:
    init = jax.jit(init)
  init(KEY, x, is_first, state)


def _gsde(batch=4):
  """A `GSDENormal` with `[batch, A = 2]` actions and `H = 3` features."""
  return GSDENormal(_zeros(batch, 2), jnp.ones((batch, 3)), jnp.ones((3, 2)))


def _gsde_head_action(features, noise):
  """Initialises `GSDEHead(2)` and acts with `noise`, under jit."""

  def act(h, n):
    return GSDEHead(2)(h).sample_from_noise(n)

  jax.jit(hk.transform(act).init)(KEY, features, noise)


def _lstm_state(*batch_shape):
  """A zero `LSTMCore(4)` state of batch shape `batch_shape`."""
  return hk.LSTMState(_zeros(*batch_shape, 4), _zeros(*batch_shape, 4))


@dataclasses.dataclass(frozen=True)
class Bad:
  """A bad input; `words[0]` is the owner the message starts with."""

  name: str
  fn: Callable[[], object]
  error: type[Exception]
  words: tuple[str, ...]


CATALOGUE = (
    # MLPTorso.
    Bad(
        "torso_empty_sizes",
        lambda: _build(lambda: MLPTorso(())),
        ValueError,
        ("MLPTorso", "`output_sizes`", "at least one", "got ()"),
    ),
    Bad(
        "torso_zero_size",
        lambda: _build(lambda: MLPTorso((64, 0))),
        ValueError,
        ("MLPTorso", "`output_sizes`", "int >= 1", "(64, 0)"),
    ),
    Bad(
        "torso_int_sizes",
        lambda: _build(lambda: MLPTorso(64)),
        TypeError,
        ("MLPTorso", "`output_sizes`", "sequence of ints", "64"),
    ),
    Bad(
        "torso_float_size",
        lambda: _build(lambda: MLPTorso((64, 8.0))),
        TypeError,
        ("MLPTorso", "`output_sizes`", "sequence of ints", "float"),
    ),
    Bad(
        "torso_unknown_w_init",
        lambda: _build(lambda: MLPTorso((8,), w_init="xavier")),
        ValueError,
        ("MLPTorso", "`w_init`", "'xavier'", "orthogonal"),
    ),
    Bad(
        "torso_activation_not_callable",
        lambda: _build(lambda: MLPTorso((8,), activation="relu")),
        TypeError,
        ("MLPTorso", "`activation`", "callable", "'relu'"),
    ),
    Bad(
        "torso_rank0_input",
        lambda: _call(lambda: MLPTorso((8,)), _zeros()),
        AssertionError,
        ("MLPTorso", "`inputs`", "rank >= 1", "got shape ()"),
    ),
    Bad(
        "torso_int_input_under_jit",
        lambda: _call(
            lambda: MLPTorso((8,)), _zeros(2, 3, dtype=jnp.int32), jit=True),
        AssertionError,
        ("MLPTorso", "`inputs`", "float array", "dtype int32"),
    ),
    # Recurrent cores.
    Bad(
        "lstm_core_zero_hidden_size",
        lambda: _build(lambda: LSTMCore(0)),
        ValueError,
        ("LSTMCore", "`hidden_size`", ">= 1", "hidden_size=0"),
    ),
    Bad(
        "lstm_core_float_batch_size",
        lambda: _build(lambda: LSTMCore(4).initial_state(2.0)),
        TypeError,
        ("LSTMCore", "`batch_size`", "int", "batch_size=2.0"),
    ),
    Bad(
        "lstm_core_inputs_not_a_pair",
        lambda: hk.transform(lambda x, s: LSTMCore(4)
                             (x, s)).init(KEY, _zeros(3, 2), _lstm_state(3)),
        TypeError,
        ("LSTMCore", "`inputs`", "pair (x, is_first)", "core((x, is_first)"),
    ),
    Bad(
        "lstm_core_state_a_plain_tuple",
        lambda: _core_step(LSTMCore, _zeros(3, 2), jnp.zeros(3, bool),
                           (_zeros(3, 4), _zeros(3, 4))),
        TypeError,
        ("LSTMCore", "`state`", "hk.LSTMState(hidden, cell)",
         "PyTreeDef((*, *))"),
    ),
    Bad(
        "lstm_core_state_of_another_batch_size",
        lambda: _core_step(LSTMCore, _zeros(3, 2), jnp.zeros(3, bool),
                           _lstm_state(5)),
        AssertionError,
        ("LSTMCore", "`state`", "[..., H] = (3, 4)", "((5, 4), (5, 4))",
         "initial_state(batch_size)"),
    ),
    Bad(
        "lstm_core_float_is_first_under_jit",
        lambda: _core_step(
            LSTMCore, _zeros(3, 2), _zeros(3), _lstm_state(3), jit=True),
        AssertionError,
        ("LSTMCore", "`is_first`", "bool array", "dtype float32",
         "`done.astype(bool)`"),
    ),
    Bad(
        "lstm_core_is_first_with_a_trailing_axis",
        lambda: _core_step(LSTMCore, _zeros(3, 2), jnp.zeros(
            (3, 1), bool), _lstm_state(3)),
        AssertionError,
        ("LSTMCore", "`is_first`", "[...] = (3,)", "got shape (3, 1)",
         "`is_first[..., 0]`"),
    ),
    Bad(
        "lstm_core_unroll_batch_major",
        # [B=3, T=5] inputs with a [B, H] state: the state's batch is not T.
        lambda: _core_step(
            LSTMCore,
            _zeros(3, 5, 2),
            jnp.zeros((3, 5), bool),
            _lstm_state(3),
            unroll=True),
        AssertionError,
        ("LSTMCore", "`state`", "(5, 4)", "((3, 4), (3, 4))", "time-major",
         "jnp.swapaxes"),
    ),
    Bad(
        "lstm_core_unroll_without_time_axis",
        lambda: _core_step(
            LSTMCore,
            _zeros(2),
            jnp.zeros((), bool),
            _lstm_state(),
            unroll=True),
        AssertionError,
        ("LSTMCore", "`x`", "[T, ..., F]", "rank >= 2", "got shape (2,)",
         "jnp.swapaxes"),
    ),
    Bad(
        "gru_core_float_hidden_size",
        lambda: _build(lambda: GRUCore(4.0)),
        TypeError,
        ("GRUCore", "`hidden_size`", "int", "hidden_size=4.0"),
    ),
    Bad(
        "gru_core_unroll_is_first_batch_major",
        lambda: _core_step(
            GRUCore,
            _zeros(5, 3, 2),
            jnp.zeros((3, 5), bool),
            _zeros(3, 4),
            unroll=True),
        AssertionError,
        ("GRUCore", "`is_first`", "[T, ...] = (5, 3)", "got shape (3, 5)",
         "jnp.swapaxes"),
    ),
    Bad(
        "gru_core_int_x",
        lambda: _core_step(GRUCore, _zeros(3, 2, dtype=jnp.int32),
                           jnp.zeros(3, bool), _zeros(3, 4)),
        AssertionError,
        ("GRUCore", "`x`", "float array", "dtype int32"),
    ),
    # Convolutional torsos.
    Bad(
        "conv_torso_no_layers",
        lambda: _build(lambda: ConvTorso(())),
        ValueError,
        ("ConvTorso", "`output_channels`", "at least one", "()"),
    ),
    Bad(
        "conv_torso_zero_kernel",
        lambda: _build(lambda: ConvTorso((8, 8), kernel_shapes=(3, 0))),
        ValueError,
        ("ConvTorso", "`kernel_shapes[1]`", ">= 1", "kernel_shapes[1]=0"),
    ),
    Bad(
        "conv_torso_strides_for_other_layers",
        lambda: _build(lambda: ConvTorso((8, 8), strides=(1, 2, 2))),
        ValueError,
        ("ConvTorso", "`strides`", "2 entries", "(1, 2, 2)"),
    ),
    Bad(
        "conv_torso_string_channels",
        lambda: _build(lambda: ConvTorso("16")),
        TypeError,
        ("ConvTorso", "`output_channels`", "sequence of ints", "'16'"),
    ),
    Bad(
        "conv_torso_lower_case_padding",
        lambda: _build(lambda: ConvTorso((8,), padding="valid")),
        ValueError,
        ("ConvTorso", "`padding`", "'valid'", "'VALID'"),
    ),
    Bad(
        "conv_torso_missing_channel_axis",
        lambda: _call(lambda: ConvTorso((8,)), _zeros(10, 10)),
        AssertionError,
        ("ConvTorso", "`inputs`", "[..., H, W, C]", "got shape (10, 10)",
         "x[..., None]"),
    ),
    Bad(
        "conv_torso_int32_pixels_under_jit",
        lambda: _call(
            lambda: ConvTorso((8,)),
            _zeros(2, 10, 10, 4, dtype=jnp.int32),
            jit=True),
        AssertionError,
        ("ConvTorso", "`inputs`", "uint8", "dtype int32"),
    ),
    Bad(
        "conv_torso_image_below_valid_size",
        lambda: _call(lambda: ConvTorso(
            (8,), kernel_shapes=5, padding="VALID"), _zeros(2, 4, 6, 1)),
        AssertionError,
        ("ConvTorso", "`inputs`", "H >= 5", "got shape (2, 4, 6, 1)"),
    ),
    Bad(
        "nature_image_too_small",
        lambda: _call(NatureCNNTorso, _zeros(2, 35, 35, 1, dtype=jnp.uint8)),
        AssertionError,
        ("NatureCNNTorso", "`inputs`", "H >= 36 and W >= 36", "(2, 35, 35, 1)"),
    ),
    Bad(
        "nature_zero_output_size",
        lambda: _build(lambda: NatureCNNTorso(0)),
        ValueError,
        ("NatureCNNTorso", "`output_size`", ">= 1", "output_size=0"),
    ),
    Bad(
        "impala_negative_blocks",
        lambda: _build(lambda: ImpalaTorso(num_blocks=-1)),
        ValueError,
        ("ImpalaTorso", "`num_blocks`", ">= 0", "num_blocks=-1"),
    ),
    Bad(
        "impala_float_channels",
        lambda: _build(lambda: ImpalaTorso((16, 32.0))),
        TypeError,
        ("ImpalaTorso", "`channels[1]`", "int", "channels[1]=32.0"),
    ),
    # GaussianHead and the std transforms.
    Bad(
        "gaussian_zero_actions",
        lambda: _build(lambda: GaussianHead(0)),
        ValueError,
        ("GaussianHead", "`action_size`", ">= 1", "action_size=0"),
    ),
    Bad(
        "gaussian_float_actions",
        lambda: _build(lambda: GaussianHead(2.0)),
        TypeError,
        ("GaussianHead", "`action_size`", "int", "float"),
    ),
    Bad(
        "gaussian_string_init_std",
        lambda: _build(lambda: GaussianHead(2, init_std="1.0")),
        TypeError,
        ("GaussianHead", "`init_std`", "float > 0", "init_std='1.0' (str)"),
    ),
    Bad(
        "gaussian_unknown_transform",
        lambda: _build(lambda: GaussianHead(2, std_transform="relu")),
        ValueError,
        ("GaussianHead", "`std_transform`", "'relu'", "softplus"),
    ),
    Bad(
        "gaussian_softplus_with_max_std",
        lambda: _build(lambda: GaussianHead(
            2, std_transform="softplus", max_std=1.0)),
        ValueError,
        ("GaussianHead", "`max_std`", "no upper bound", "max_std=1.0"),
    ),
    Bad(
        "gaussian_min_above_max",
        lambda: _build(lambda: GaussianHead(
            2, std_transform="clipped_exp", min_std=1.0, max_std=0.5)),
        ValueError,
        (
            "GaussianHead",
            "`min_std` must be > 0 and < `max_std`",
            "min_std=1.0, max_std=0.5",
        ),
    ),
    Bad(
        "gaussian_zero_min_std",
        lambda: _build(lambda: GaussianHead(2, min_std=0.0)),
        ValueError,
        ("GaussianHead", "`min_std`", "> 0", "min_std=0.0"),
    ),
    Bad(
        "gaussian_init_std_outside_bounds",
        lambda: _build(lambda: GaussianHead(
            2, std_transform="tanh", init_std=10.0)),
        ValueError,
        ("GaussianHead", "`init_std`", "strictly inside", "init_std=10.0"),
    ),
    Bad(
        "gaussian_negative_init_std",
        lambda: _build(lambda: GaussianHead(2, init_std=-1.0)),
        ValueError,
        ("GaussianHead", "`init_std`", "> 0", "init_std=-1.0"),
    ),
    Bad(
        "gaussian_exp_with_min_std",
        lambda: _build(lambda: GaussianHead(
            2, std_transform="exp", min_std=0.1)),
        ValueError,
        ("GaussianHead", "`min_std`", "'exp'", "min_std=0.1"),
    ),
    Bad(
        "gaussian_int_features",
        lambda: _call(
            lambda: GaussianHead(2), _zeros(4, 8, dtype=jnp.int32), jit=True),
        AssertionError,
        ("GaussianHead", "`inputs`", "[..., H]", "dtype int32"),
    ),
    Bad(
        "std_transform_unknown_kind",
        lambda: make_std_transform("relu"),
        ValueError,
        ("make_std_transform", "`std_transform`", "'relu'", "softplus"),
    ),
    Bad(
        "std_transform_inverse_outside_bounds",
        lambda: make_std_transform("tanh", min_std=0.1, max_std=1.0).inverse(2.0
                                                                            ),
        ValueError,
        ("StdTransform", "`std`", "strictly inside (0.1, 1.0)", "std=2.0"),
    ),
    Bad(
        "std_transform_object_with_bounds",
        lambda: make_std_transform(
            make_std_transform("tanh"), min_std=0.1, owner="GaussianHead"),
        ValueError,
        ("GaussianHead", "`min_std`/`max_std`", "not both"),
    ),
    # TanhGaussianHead.
    Bad(
        "tanh_head_low_above_high",
        lambda: _build(lambda: TanhGaussianHead(
            (np.array([1.0]), np.array([-1.0])))),
        ValueError,
        ("TanhGaussianHead", "`low` must be < `high`", "low=[1.]",
         "high=[-1.]"),
    ),
    Bad(
        "tanh_head_bound_shapes_differ",
        lambda: _build(lambda: TanhGaussianHead((np.zeros(2), np.ones(3)))),
        ValueError,
        ("TanhGaussianHead", "`low` and `high`", "(A,)", "(2,) and (3,)"),
    ),
    Bad(
        "tanh_head_spec_not_a_pair",
        lambda: _build(lambda: TanhGaussianHead("box")),
        TypeError,
        ("TanhGaussianHead", "`action_spec`", "(low, high)", "str"),
    ),
    Bad(
        "tanh_head_one_sided_infinite",
        lambda: _build(lambda: TanhGaussianHead(
            (np.array([0.0]), np.array([np.inf])))),
        ValueError,
        ("TanhGaussianHead", "both bounds finite", "high=[inf]"),
    ),
    Bad(
        "tanh_head_scalar_bounds",
        lambda: _build(lambda: TanhGaussianHead((-1.0, 1.0))),
        ValueError,
        ("TanhGaussianHead", "`action_spec`", "[A] array", "low=-1.0"),
    ),
    # DeterministicHead and the noise helpers.
    Bad(
        "deterministic_infinite_bounds",
        lambda: _build(lambda: DeterministicHead(
            (np.array([-np.inf]), np.array([np.inf])))),
        ValueError,
        ("DeterministicHead", "finite", "low=[-inf]"),
    ),
    Bad(
        "deterministic_zero_actions",
        lambda: _build(lambda: DeterministicHead(0)),
        ValueError,
        ("DeterministicHead", "`action_spec`", ">= 1", "action_spec=0"),
    ),
    Bad(
        "exploration_noise_wrong_action_size",
        lambda: add_exploration_noise(KEY, _zeros(4, 3), np.zeros(2), np.ones(2)
                                     ),
        AssertionError,
        ("add_exploration_noise", "`action`", "last dim 2", "(4, 3)"),
    ),
    Bad(
        "smoothing_negative_noise_clip",
        lambda: add_target_smoothing_noise(
            KEY, _zeros(4, 2), -1.0, 1.0, noise_clip=-0.5),
        ValueError,
        (
            "add_target_smoothing_noise",
            "`noise_clip`",
            ">= 0",
            "noise_clip=-0.5",
        ),
    ),
    Bad(
        "exploration_noise_string_scale",
        lambda: add_exploration_noise(
            KEY, _zeros(4, 2), -1.0, 1.0, noise_scale="0.1"),
        TypeError,
        ("add_exploration_noise", "`noise_scale`", ">= 0", "'0.1' (str)"),
    ),
    Bad(
        "exploration_noise_traced_bounds",
        lambda: jax.jit(lambda low: add_exploration_noise(
            KEY, _zeros(4, 2), low, 1.0))(-jnp.ones(2)),
        TypeError,
        ("add_exploration_noise", "`low`", "concrete value"),
    ),
    # CategoricalHead.
    Bad(
        "categorical_zero_actions",
        lambda: _build(lambda: CategoricalHead(0)),
        ValueError,
        ("CategoricalHead", "`num_actions`", ">= 1", "num_actions=0"),
    ),
    Bad(
        "categorical_float_actions",
        lambda: _build(lambda: CategoricalHead(3.0)),
        TypeError,
        ("CategoricalHead", "`num_actions`", "int", "num_actions=3.0"),
    ),
    Bad(
        "categorical_mask_wrong_size",
        lambda: _call(lambda: CategoricalHead(3), _zeros(2, 8),
                      jnp.ones((2, 4), bool)),
        AssertionError,
        ("CategoricalHead", "`mask`", "last dim 3", "(2, 4)"),
    ),
    Bad(
        "categorical_float_mask",
        lambda: _call(lambda: CategoricalHead(3), _zeros(2, 8), _zeros(2, 3)),
        AssertionError,
        ("CategoricalHead", "`mask`", "bool array", "float32"),
    ),
    # MultiCategoricalHead.
    Bad(
        "multi_categorical_head_zero_nvec",
        lambda: _build(lambda: MultiCategoricalHead((3, 0))),
        ValueError,
        ("MultiCategoricalHead", "`nvec`", "int >= 1", "nvec=(3, 0)"),
    ),
    Bad(
        "multi_categorical_head_2d_nvec",
        lambda: _build(lambda: MultiCategoricalHead(np.full((2, 2), 3))),
        ValueError,
        ("MultiCategoricalHead", "`nvec`", "1-D", "(2, 2)"),
    ),
    Bad(
        "multi_categorical_head_mask_wrong_size",
        lambda: _call(lambda: MultiCategoricalHead(
            (3, 2)), _zeros(2, 8), jnp.ones((2, 4), bool)),
        AssertionError,
        ("MultiCategoricalHead", "`mask`", "last dim 5", "(2, 4)"),
    ),
    # BetaHead.
    Bad(
        "beta_head_zero_min_concentration",
        lambda: _build(lambda: BetaHead(2, min_concentration=0.0)),
        ValueError,
        ("BetaHead", "`min_concentration`", "> 0", "min_concentration=0.0"),
    ),
    Bad(
        "beta_head_low_above_high",
        lambda: _build(lambda: BetaHead((np.array([1.0]), np.array([-1.0])))),
        ValueError,
        ("BetaHead", "`low` must be < `high`", "low=[1.]", "high=[-1.]"),
    ),
    Bad(
        "beta_head_infinite_bounds",
        lambda: _build(lambda: BetaHead(
            (np.array([-np.inf]), np.array([np.inf])))),
        ValueError,
        ("BetaHead", "finite", "low=[-inf]"),
    ),
    Bad(
        "beta_head_int_features_under_jit",
        lambda: _call(
            lambda: BetaHead(2), _zeros(4, 8, dtype=jnp.int32), jit=True),
        AssertionError,
        ("BetaHead", "`inputs`", "[..., H]", "dtype int32"),
    ),
    # GSDEHead, GSDENormal and the gSDE noise state.
    Bad(
        "gsde_head_zero_actions",
        lambda: _build(lambda: GSDEHead(0)),
        ValueError,
        ("GSDEHead", "`action_size`", ">= 1", "action_size=0"),
    ),
    Bad(
        "gsde_head_string_full_std",
        lambda: _build(lambda: GSDEHead(2, full_std="False")),
        TypeError,
        ("GSDEHead", "`full_std`", "a bool", "full_std='False' (str)"),
    ),
    Bad(
        "gsde_head_int_use_expln",
        lambda: _build(lambda: GSDEHead(2, use_expln=1)),
        TypeError,
        ("GSDEHead", "`use_expln`", "a bool", "use_expln=1 (int)"),
    ),
    Bad(
        "gsde_head_nan_log_std_init",
        lambda: _build(lambda: GSDEHead(2, log_std_init=float("nan"))),
        ValueError,
        ("GSDEHead", "`log_std_init`", "finite", "log_std_init=nan"),
    ),
    Bad(
        "gsde_head_zero_epsilon",
        lambda: _build(lambda: GSDEHead(2, epsilon=0.0)),
        ValueError,
        ("GSDEHead", "`epsilon`", "> 0", "epsilon=0.0"),
    ),
    Bad(
        "gsde_head_int_features_under_jit",
        lambda: _call(
            lambda: GSDEHead(2), _zeros(4, 8, dtype=jnp.int32), jit=True),
        AssertionError,
        ("GSDEHead", "`inputs`", "[..., H]", "dtype int32"),
    ),
    Bad(
        "gsde_head_noise_of_another_batch_under_jit",
        lambda: _gsde_head_action(_zeros(4, 3), _zeros(5, 3, 2)),
        ValueError,
        ("GSDENormal", "`noise`", "batch dims (4,)", "got shape (5, 3, 2)"),
    ),
    Bad(
        "gsde_normal_noise_transposed",
        lambda: _gsde().sample_from_noise(_zeros(2, 3)),
        ValueError,
        ("GSDENormal", "`noise`", "[H, A] = (3, 2)", "got shape (2, 3)",
         "gsde_noise_init(key, 3, 2"),
    ),
    Bad(
        "gsde_normal_noise_with_extra_batch_dims",
        lambda: _gsde().exploration_noise(_zeros(2, 4, 3, 2)),
        ValueError,
        ("GSDENormal", "`noise`", "batch dims (4,)", "got shape (2, 4, 3, 2)"),
    ),
    Bad(
        "gsde_normal_int_noise",
        lambda: _gsde().sample_from_noise(jnp.zeros((3, 2), jnp.int32)),
        TypeError,
        ("GSDENormal", "`noise`", "floating", "int32"),
    ),
    Bad(
        "gsde_normal_noise_std_transposed",
        lambda: GSDENormal(_zeros(4, 2), jnp.ones((4, 3)), jnp.ones((2, 3))),
        ValueError,
        ("GSDENormal", "`noise_std`", "[H, A] = (3, 2)", "(2, 3)"),
    ),
    Bad(
        "gsde_normal_zero_noise_std",
        lambda: GSDENormal(_zeros(4, 2), jnp.ones((4, 3)), _zeros(3, 2)),
        ValueError,
        ("GSDENormal", "`noise_std`", "> 0", "min(noise_std)=0.0"),
    ),
    Bad(
        "gsde_normal_int_features",
        lambda: GSDENormal(
            _zeros(4, 2), jnp.ones((4, 3), jnp.int32), jnp.ones((3, 2))),
        TypeError,
        ("GSDENormal", "`features`", "floating", "int32"),
    ),
    Bad(
        "gsde_normal_batch_mismatch",
        lambda: GSDENormal(_zeros(4, 2), jnp.ones((3, 3)), jnp.ones((3, 2))),
        ValueError,
        ("GSDENormal", "`loc` and `features`", "(4, 2)", "(3, 3)"),
    ),
    Bad(
        "gsde_normal_string_squash",
        lambda: GSDENormal(
            _zeros(4, 2), jnp.ones((4, 3)), jnp.ones((3, 2)), squash="yes"),
        TypeError,
        ("GSDENormal", "`squash`", "a bool", "squash='yes'"),
    ),
    Bad(
        "gsde_noise_init_zero_features",
        lambda: gsde_noise_init(KEY, 0, 2),
        ValueError,
        ("gsde_noise_init", "`feature_size`", ">= 1", "feature_size=0"),
    ),
    Bad(
        "gsde_noise_init_int_batch_shape",
        lambda: gsde_noise_init(KEY, 3, 2, batch_shape=4),
        TypeError,
        ("gsde_noise_init", "`batch_shape`", "sequence of ints", "4"),
    ),
    Bad(
        "gsde_noise_update_zero_every",
        lambda: gsde_noise_update(gsde_noise_init(KEY, 3, 2), KEY, every=0),
        ValueError,
        ("gsde_noise_update", "`every`", ">= 1", "every=0"),
    ),
    Bad(
        "gsde_noise_update_bare_matrix",
        lambda: gsde_noise_update(_zeros(3, 2), KEY, every=2),
        TypeError,
        ("gsde_noise_update", "`noise`", "a GSDENoise", "gsde_noise_init"),
    ),
    # Critics.
    Bad(
        "value_head_unknown_w_init",
        lambda: _build(lambda: ValueHead(w_init="xavier")),
        ValueError,
        ("ValueHead", "`w_init`", "'xavier'", "orthogonal"),
    ),
    Bad(
        "value_head_int_features_under_jit",
        lambda: _call(
            lambda: ValueHead(), _zeros(4, 8, dtype=jnp.int32), jit=True),
        AssertionError,
        ("ValueHead", "`inputs`", "[..., H]", "dtype int32"),
    ),
    Bad(
        "q_head_leading_dims_differ",
        lambda: _call(lambda: QHead((8,)), _zeros(4, 3), _zeros(5, 2)),
        AssertionError,
        ("QHead", "`obs` and `action`", "(4, 3)", "(5, 2)"),
    ),
    Bad(
        "q_head_float_size",
        lambda: _build(lambda: QHead((8.0,))),
        TypeError,
        ("QHead", "`output_sizes`", "sequence of ints", "float"),
    ),
    Bad(
        "ensemble_zero_critics",
        lambda: _build(lambda: CriticEnsemble(0)),
        ValueError,
        ("CriticEnsemble", "`num_critics`", ">= 1", "num_critics=0"),
    ),
    Bad(
        "ensemble_float_critics",
        lambda: _build(lambda: CriticEnsemble(2.0)),
        TypeError,
        ("CriticEnsemble", "`num_critics`", "int", "float"),
    ),
    Bad(
        "ensemble_numpy_int_zero_critics",
        lambda: _build(lambda: CriticEnsemble(np.int64(0))),
        ValueError,
        ("CriticEnsemble", "`num_critics`", ">= 1", "num_critics=0"),
    ),
    Bad(
        "q_head_negative_quantiles",
        lambda: _build(lambda: QHead((8,), num_quantiles=-1)),
        ValueError,
        ("QHead", "`num_quantiles`", ">= 1", "num_quantiles=-1"),
    ),
    Bad(
        "quantile_ensemble_zero_quantiles",
        lambda: _build(lambda: QuantileCriticEnsemble(2, 0)),
        ValueError,
        ("QuantileCriticEnsemble", "`num_quantiles`", ">= 1",
         "num_quantiles=0"),
    ),
    Bad(
        "quantile_ensemble_float_quantiles",
        lambda: _build(lambda: QuantileCriticEnsemble(2, 25.0)),
        TypeError,
        ("QuantileCriticEnsemble", "`num_quantiles`", "int",
         "num_quantiles=25.0"),
    ),
    Bad(
        "quantile_ensemble_zero_critics",
        lambda: _build(lambda: QuantileCriticEnsemble(0, 25)),
        ValueError,
        ("QuantileCriticEnsemble", "`num_critics`", ">= 1", "num_critics=0"),
    ),
    Bad(
        "ensemble_int_action",
        lambda: _call(
            lambda: CriticEnsemble(2, (8,)),
            _zeros(4, 3),
            _zeros(4, 2, dtype=jnp.int32),
        ),
        AssertionError,
        ("CriticEnsemble", "`action`", "[..., A]", "dtype int32"),
    ),
    # Normalisation.
    Bad(
        "normalizer_negative_clip",
        lambda: _build(lambda: RunningNormalizer(clip=-1.0)),
        ValueError,
        ("RunningNormalizer", "`clip`", "> 0", "clip=-1.0"),
    ),
    Bad(
        "normalizer_string_clip",
        lambda: _build(lambda: RunningNormalizer(clip="10")),
        TypeError,
        ("RunningNormalizer", "`clip`", "float > 0", "clip='10' (str)"),
    ),
    Bad(
        "normalizer_negative_epsilon",
        lambda: _build(lambda: RunningNormalizer(epsilon=-1e-8)),
        ValueError,
        ("RunningNormalizer", "`epsilon`", ">= 0", "epsilon=-1e-08"),
    ),
    Bad(
        "normalizer_zero_size",
        lambda: normalizer_init(0),
        ValueError,
        ("normalizer_init", "`size`", ">= 1", "size=0"),
    ),
    Bad(
        "normalizer_float_size",
        lambda: normalizer_init(3.0),
        TypeError,
        ("normalizer_init", "`size`", "int", "size=3.0"),
    ),
    Bad(
        "normalizer_update_wrong_size",
        lambda: normalizer_update(normalizer_init(3), _zeros(2, 4)),
        AssertionError,
        ("normalizer_update", "`x`", "[..., 3]", "(2, 4)"),
    ),
    Bad(
        "normalize_int_input",
        lambda: normalize(normalizer_init(3), _zeros(2, 3, dtype=jnp.int32)),
        AssertionError,
        ("normalize", "`x`", "float array", "dtype int32"),
    ),
    # Specs.
    Bad(
        "action_bounds_discrete",
        lambda: action_bounds(gym.spaces.Discrete(3)),
        TypeError,
        ("action_bounds", "discrete", "Discrete", "CategoricalHead"),
    ),
    Bad(
        "action_bounds_unbounded",
        lambda: action_bounds(
            gym.spaces.Box(-np.inf, np.inf, (2,), np.float32)),
        ValueError,
        ("action_bounds", "unbounded", "low=[-inf -inf]"),
    ),
    Bad(
        "action_bounds_dm_env_array",
        lambda: action_bounds(dm_specs.Array((2,), np.float32)),
        ValueError,
        ("action_bounds", "Array", "no bounds"),
    ),
    Bad(
        "action_bounds_multi_discrete",
        lambda: action_bounds(gym.spaces.MultiDiscrete([3, 2])),
        TypeError,
        ("action_bounds", "discrete", "MultiDiscrete", "MultiCategoricalHead"),
    ),
    Bad(
        "action_nvec_box",
        lambda: action_nvec(gym.spaces.Box(-1.0, 1.0, (2,))),
        TypeError,
        ("action_nvec", "`space`", "MultiDiscrete", "gymnasium Box",
         "action_bounds"),
    ),
    Bad(
        "action_nvec_nonzero_start",
        lambda: action_nvec(gym.spaces.MultiDiscrete([3, 4], start=[1, 0])),
        ValueError,
        ("action_nvec", "`start`", "[1 0]"),
    ),
    # Distributions.
    Bad(
        "diag_normal_rank0_loc",
        lambda: DiagNormal(jnp.float32(0.0), 1.0),
        ValueError,
        ("DiagNormal", "`loc`", "rank >= 1", "shape ()"),
    ),
    Bad(
        "diag_normal_shapes_differ",
        lambda: DiagNormal(_zeros(2, 3), jnp.ones((2, 4))),
        ValueError,
        ("DiagNormal", "`loc` and `scale`", "(2, 3)", "(2, 4)"),
    ),
    Bad(
        "diag_normal_int_loc",
        lambda: DiagNormal(jnp.zeros(3, jnp.int32), jnp.ones(3)),
        TypeError,
        ("DiagNormal", "`loc`", "floating", "int32"),
    ),
    Bad(
        "diag_normal_zero_scale",
        lambda: DiagNormal(_zeros(3), _zeros(3)),
        ValueError,
        ("DiagNormal", "`scale`", "> 0"),
    ),
    Bad(
        "diag_normal_log_prob_wrong_event",
        lambda: DiagNormal(_zeros(4, 2), jnp.ones(
            (4, 2))).log_prob(_zeros(4, 3)),
        ValueError,
        ("DiagNormal", "[..., 2]", "(4, 3)"),
    ),
    Bad(
        "tanh_normal_low_above_high",
        lambda: TanhNormal(_zeros(2), jnp.ones(2), low=1.0, high=-1.0),
        ValueError,
        ("TanhNormal", "`low`", "`high`"),
    ),
    Bad(
        "tanh_normal_one_sided_infinite",
        lambda: TanhNormal(
            _zeros(2), jnp.ones(2), low=-1.0, high=np.array([1.0, np.inf])),
        ValueError,
        ("TanhNormal", "both", "infinite"),
    ),
    Bad(
        "tanh_normal_bound_shape",
        lambda: TanhNormal(_zeros(2), jnp.ones(2), low=-np.ones(3), high=1.0),
        ValueError,
        ("TanhNormal", "`low`", "(2,)", "(3,)"),
    ),
    Bad(
        "beta_zero_alpha",
        lambda: Beta(_zeros(2), jnp.ones(2)),
        ValueError,
        ("Beta", "`alpha`", "> 0", "min(alpha)=0.0"),
    ),
    Bad(
        "beta_negative_beta",
        lambda: Beta(jnp.ones(2), -jnp.ones(2)),
        ValueError,
        ("Beta", "`beta`", "> 0", "min(beta)=-1.0"),
    ),
    Bad(
        "beta_int_alpha",
        lambda: Beta(jnp.ones(2, jnp.int32), jnp.ones(2)),
        TypeError,
        ("Beta", "`alpha`", "floating", "int32"),
    ),
    Bad(
        "beta_low_above_high",
        lambda: Beta(jnp.ones(2), jnp.ones(2), low=1.0, high=0.0),
        ValueError,
        ("Beta", "`low` must be < `high`", "low=[1. 1.]"),
    ),
    Bad(
        "beta_infinite_bounds",
        lambda: Beta(jnp.ones(2), jnp.ones(2), low=-np.inf, high=np.inf),
        ValueError,
        ("Beta", "`low` and `high` must be finite", "low=[-inf -inf]"),
    ),
    Bad(
        "beta_log_prob_wrong_event",
        lambda: Beta(jnp.ones((4, 2)), jnp.ones((4, 2))).log_prob(_zeros(4, 3)),
        ValueError,
        ("Beta", "[..., 2]", "(4, 3)"),
    ),
    Bad(
        "multi_categorical_empty_nvec",
        lambda: MultiCategorical(_zeros(2, 3), ()),
        ValueError,
        ("MultiCategorical", "`nvec`", "at least one", "got ()"),
    ),
    Bad(
        "multi_categorical_float_nvec",
        lambda: MultiCategorical(_zeros(2, 5), (3.0, 2)),
        TypeError,
        ("MultiCategorical", "`nvec`", "sequence of ints", "float"),
    ),
    Bad(
        "multi_categorical_logits_wrong_size",
        lambda: MultiCategorical(_zeros(2, 4), (3, 2)),
        ValueError,
        ("MultiCategorical", "`logits`", "[..., 5]", "(2, 4)"),
    ),
    Bad(
        "multi_categorical_mask_wrong_size",
        lambda: MultiCategorical(
            _zeros(2, 5), (3, 2), mask=jnp.ones((2, 4), bool)),
        ValueError,
        ("MultiCategorical", "`mask`", "[..., 5]", "(2, 4)"),
    ),
    Bad(
        "multi_categorical_mask_batch_mismatch",
        lambda: MultiCategorical(
            _zeros(2, 5), (3, 2), mask=jnp.ones((3, 5), bool)),
        ValueError,
        ("MultiCategorical", "`mask`", "(2, 5)", "(3, 5)"),
    ),
    Bad(
        "multi_categorical_float_mask",
        lambda: MultiCategorical(_zeros(2, 5), (3, 2), mask=_zeros(2, 5)),
        TypeError,
        ("MultiCategorical", "`mask`", "bool", "float32"),
    ),
    Bad(
        "multi_categorical_action_wrong_shape",
        lambda: MultiCategorical(_zeros(2, 5),
                                 (3, 2)).log_prob(jnp.zeros((2, 3), jnp.int32)),
        ValueError,
        ("MultiCategorical", "[..., 2]", "(2, 3)"),
    ),
    Bad(
        "multi_categorical_float_action",
        lambda: MultiCategorical(_zeros(2, 5), (3, 2)).log_prob(_zeros(2, 2)),
        TypeError,
        ("MultiCategorical", "integer", "float32"),
    ),
)

# Public names of `haiku_policies` that validate no input, and why.
NO_INPUT_CHECKS = {
    "NormalizerState": "a NamedTuple of arrays; `normalizer_init` builds it",
    "GSDENoise": "a NamedTuple of arrays; `gsde_noise_init` builds it",
    "STD_TRANSFORMS": "a tuple of names, not callable",
    "orthogonal_init": "hands `gain` to hk.initializers.Orthogonal unchecked",
    "variance_scaling_init": "takes no arguments",
    "assert_tree_on_devices": "an assertion itself, see contracts_test.py",
}


class BadInputTest(parameterized.TestCase):

  def test_every_public_name_that_checks_input_has_a_case(self):
    owners = {bad.words[0] for bad in CATALOGUE}
    public = set(haiku_policies.__all__)
    self.assertEmpty(set(NO_INPUT_CHECKS) - public, msg="stale exemption")
    self.assertEmpty(
        public - set(NO_INPUT_CHECKS) - owners,
        msg="public names without a bad-input case in CATALOGUE",
    )

  @parameterized.named_parameters(*[(bad.name, bad) for bad in CATALOGUE])
  def test_raises_with_message(self, bad):
    with self.assertRaises(bad.error) as ctx:
      bad.fn()
    message = str(ctx.exception)
    self.assertIn(f"{bad.words[0]}: ", message)  # The owner, then the fault.
    for word in bad.words:
      self.assertIn(word, message)


if __name__ == "__main__":
  absltest.main()
