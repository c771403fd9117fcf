"""One conformance list holding every public Haiku module of the library.

For each case: parameter names and shapes are pinned (default module names are
part of the checkpoint contract), `jit` equals eager, `vmap` over single
examples equals the batched call, several leading dims equal one, and
gradients reach every parameter (through the reparameterized sample where
there is one). `pmap` over 2 fake CPU devices is checked against one device in
`pmap_modules_test.py`, which imports `CASES` from here. The parameters are
drawn by NumPy (`random_params`), not by the modules' initializers.

A recurrent core is a case twice, a step and an unroll; its state is an input
like the others, so it is mapped, reshaped and sharded with them, as a
learner's stored core state is.
"""

import dataclasses
from collections.abc import Callable
import math
from typing import Any

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.conv_torsos import ConvTorso
from haiku_policies.conv_torsos import ImpalaTorso
from haiku_policies.conv_torsos import NatureCNNTorso
from haiku_policies.cores import GRUCore
from haiku_policies.cores import LSTMCore
from haiku_policies.critics import CriticEnsemble
from haiku_policies.critics import QHead
from haiku_policies.critics import QuantileCriticEnsemble
from haiku_policies.critics import ValueHead
from haiku_policies.heads_beta import BetaHead
from haiku_policies.heads_categorical import CategoricalHead
from haiku_policies.heads_categorical import MultiCategoricalHead
from haiku_policies.heads_deterministic import DeterministicHead
from haiku_policies.heads_gaussian import GaussianHead
from haiku_policies.heads_gaussian import TanhGaussianHead
from haiku_policies.heads_gsde import GSDEHead
from haiku_policies.normalization import RunningNormalizer
from haiku_policies.torsos import MLPTorso

RTOL = 1e-5
ATOL = 1e-5
BATCH = 4
OBS = 3
ACT = 2
INIT_KEY = jax.random.PRNGKey(0)
APPLY_KEY = jax.random.PRNGKey(1)
LOW = np.array([-2.0, 0.0], np.float32)
HIGH = np.array([2.0, 1.0], np.float32)
HIDDEN = 4  # The cores' hidden size.
STEPS = 3  # The length of an unrolled sequence.
NVEC = (3, 2)  # MultiCategoricalHead: N = 5 logits.
QUANTILES = 3  # QuantileCriticEnsemble's M.


def _obs(batch_shape, seed=0):
  rng = np.random.default_rng(seed)
  return rng.normal(size=(*batch_shape, OBS)).astype(np.float32)


def _act(batch_shape, seed=1):
  rng = np.random.default_rng(seed)
  return rng.uniform(0.1, 0.9, size=(*batch_shape, ACT)).astype(np.float32)


def _mask(batch_shape):
  mask = np.ones((*batch_shape, 3), bool)
  mask[..., 1] = False
  return mask


def _multi_mask(batch_shape):
  mask = np.ones((*batch_shape, sum(NVEC)), bool)
  mask[..., [1, 4]] = False  # One value of each sub-action.
  return mask


def _obs_only(batch_shape):
  return (_obs(batch_shape),)


def _obs_act(batch_shape):
  return (_obs(batch_shape), _act(batch_shape))


def _obs_mask(batch_shape):
  return (_obs(batch_shape), _mask(batch_shape))


def _obs_multi_mask(batch_shape):
  return (_obs(batch_shape), _multi_mask(batch_shape))


def _obs_act_noise(batch_shape):
  """Observations, actions and one gSDE noise matrix per batch element."""
  rng = np.random.default_rng(2)
  noise = rng.normal(size=(*batch_shape, OBS, ACT)).astype(np.float32)
  return (*_obs_act(batch_shape), noise)


def _weights(shape, seed=7):
  return jnp.asarray(
      np.random.default_rng(seed).normal(size=shape), jnp.float32)


def _gaussian_outputs(dist, action):
  return {
      "loc": dist.loc,
      "scale": dist.scale,
      "log_prob": dist.log_prob(action),
      "entropy": dist.entropy(),
  }


def _sample_loss(dist):
  """A loss reaching the parameters only through a reparameterized draw."""
  action = dist.sample(seed=hk.next_rng_key())
  return jnp.sum(action * _weights(action.shape[-1:]))


def _categorical_outputs(x, mask):
  dist = CategoricalHead(3)(x, mask=mask)
  return {
      "logits": dist.logits,
      "probs": dist.probs,
      "log_prob": dist.log_prob(jnp.zeros(mask.shape[:-1], jnp.int32)),
      "entropy": dist.entropy(),
  }


def _categorical_loss(x, mask):
  # Not reparameterizable: the score-function terms carry the gradient.
  del mask
  dist = CategoricalHead(3)(x)
  return jnp.sum(dist.log_prob(jnp.full(x.shape[:-1], 2)) + dist.entropy())


def _multi_categorical_outputs(x, mask):
  dist = MultiCategoricalHead(NVEC)(x, mask=mask)
  return {
      "logits": dist.logits,
      "probs": dist.probs,
      "log_prob": dist.log_prob(jnp.zeros((*mask.shape[:-1], 2), jnp.int32)),
      "entropy": dist.entropy(),
      "mode": dist.mode(),
  }


def _multi_categorical_loss(x, mask):
  # Not reparameterizable: the score-function terms carry the gradient.
  dist = MultiCategoricalHead(NVEC)(x, mask=mask)
  value = jnp.broadcast_to(jnp.array([2, 0], jnp.int32), (*x.shape[:-1], 2))
  return jnp.sum(dist.log_prob(value) + dist.entropy())


def _beta_head():
  return BetaHead((LOW, HIGH))


def _beta_outputs(x, a):
  dist = _beta_head()(x)
  return {
      "alpha": dist.alpha,
      "beta": dist.beta,
      "log_prob": dist.log_prob(a),
      "entropy": dist.entropy(),
      "mean": dist.mean(),
      "mode": dist.mode(),
  }


def _gsde_head():
  return GSDEHead(ACT, learn_features=True)


def _gsde_head_squashed():
  return GSDEHead(ACT, full_std=False, use_expln=True, squash=True)


def _gsde_outputs(make):

  def forward(x, a, noise):
    dist = make()(x)
    action, log_prob = dist.sample_and_log_prob_from_noise(noise)
    return {
        "loc": dist.loc,
        "scale": dist.scale,
        "log_prob": dist.log_prob(a),  # a in (0.1, 0.9): inside [-1, 1].
        "entropy": dist.entropy(),
        "action": action,
        "log_prob_from_noise": log_prob,
    }

  return forward


def _gsde_loss(make):
  """A loss reaching the parameters only through the gSDE action."""
  return lambda x, a, noise: jnp.sum(make()
                                     (x).sample_from_noise(noise) * _weights(
                                         (ACT,)))


def _gsde_case(name, make, log_std_columns):
  return Case(
      name=name,
      forward=_gsde_outputs(make),
      inputs=_obs_act_noise,
      param_shapes={
          "gsde_head": {
              "log_std": (OBS, log_std_columns)
          },
          "gsde_head/loc": {
              "w": (OBS, ACT),
              "b": (ACT,)
          },
      },
      loss=_gsde_loss(make),
  )


def _gaussian_head():
  return GaussianHead(ACT, std_transform="softplus", init_std=0.5)


def _gaussian_head_fixed_std():
  return GaussianHead(ACT, state_dependent_std=False, std_transform="exp")


def _tanh_head():
  return TanhGaussianHead((LOW, HIGH), std_transform="clipped_exp")


def _tanh_outputs(x, a):
  dist = _tanh_head()(x)
  return {**_gaussian_outputs(dist, a), "median": dist.median()}


def _tanh_head_fixed_std():
  return TanhGaussianHead(ACT, state_dependent_std=False, std_transform="tanh")


def _torso_lin(shape_in, sizes):
  shapes, fan_in = {}, shape_in
  for i, size in enumerate(sizes):
    shapes[f"linear_{i}"] = {"w": (fan_in, size), "b": (size,)}
    fan_in = size
  return shapes


def _prefixed(prefix, shapes):
  return {f"{prefix}/{k}": v for k, v in shapes.items()}


def _with_axis(n, shapes):
  return {
      module: {
          k: (n, *v) for k, v in params.items()
      } for module, params in shapes.items()
  }


def _core_inputs(time_shape, num_states):
  """`(x, is_first, *state)` maker for a core; `time_shape` () or (STEPS,).

  Everything is batch-major, so the harness's leading batch dims apply to
  the state too; an unroll case moves time to the front itself.
  """

  def inputs(batch_shape):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(*batch_shape, *time_shape, OBS)).astype(np.float32)
    # Resets of some elements only, at different steps in an unroll.
    shape = (*batch_shape, *time_shape)
    is_first = (np.arange(math.prod(shape)) % 4 == 1).reshape(shape)
    state = rng.normal(size=(num_states, *batch_shape, HIDDEN))
    state = state.astype(np.float32)
    return (x, is_first, *state)

  return inputs


def _core_outputs(core_cls, unroll):
  """A step or an unroll of `core_cls` as `{"out": ..., "state": ...}`."""

  def forward(x, is_first, *leaves):
    core = core_cls(HIDDEN)
    state = hk.LSTMState(*leaves) if core_cls is LSTMCore else leaves[0]
    if unroll:  # `[..., T, ...]` in the case, time-major for the core.
      out, state = core.unroll(
          (jnp.moveaxis(x, -2, 0), jnp.moveaxis(is_first, -1, 0)), state)
      out = jnp.moveaxis(out, 0, -2)
    else:
      out, state = core((x, is_first), state)
    return {"out": out, "state": state}

  return forward


def _core_loss(core_cls, unroll):
  forward = _core_outputs(core_cls, unroll)
  return lambda *xs: jnp.sum(jnp.square(forward(*xs)["out"]))


_CORE_PARAM_SHAPES = {
    LSTMCore: {
        "lstm_core/lstm/linear": {
            "w": (OBS + HIDDEN, 4 * HIDDEN),
            "b": (4 * HIDDEN,)
        }
    },
    GRUCore: {
        "gru_core/gru": {
            "w_i": (OBS, 3 * HIDDEN),
            "w_h": (HIDDEN, 3 * HIDDEN),
            "b": (3 * HIDDEN,),
        }
    },
}


def _pixels(side, channels):
  """An `[..., side, side, channels]` image maker."""

  def inputs(batch_shape):
    rng = np.random.default_rng(4)
    return (rng.uniform(size=(*batch_shape, side, side,
                              channels)).astype(np.float32),)

  return inputs


def _conv_shapes(kernels_in_out):
  """`conv_{i}` shapes of `(kernel, in channels, out channels)` layers."""
  return {
      f"conv_{i}": {
          "w": (k, k, c_in, c_out),
          "b": (c_out,)
      } for i, (k, c_in, c_out) in enumerate(kernels_in_out)
  }


def _impala_shapes(channels_in, channels, blocks):
  shapes, c_in = {}, channels_in
  for i, c in enumerate(channels):
    shapes[f"stage_{i}_conv"] = {"w": (3, 3, c_in, c), "b": (c,)}
    for j in range(blocks):
      for k in range(2):
        shapes[f"stage_{i}_block_{j}_conv_{k}"] = {"w": (3, 3, c, c), "b": (c,)}
    c_in = c
  return shapes


def _square_sum(make):
  return lambda x: jnp.sum(jnp.square(make()(x)))


# Small widths, repeated where the layout allows: every new shape costs XLA
# compilations of the eager ops.
def _conv_torso():
  return ConvTorso((4, 4),
                   kernel_shapes=(3, 2),
                   strides=(2, 1),
                   output_sizes=(8,))


def _nature_torso():
  return NatureCNNTorso(8)  # The paper's convolutions, a narrower dense layer.


def _impala_torso():
  return ImpalaTorso((4, 4), output_size=8)  # Two stages of two blocks.


@dataclasses.dataclass(frozen=True)
class Case:
  """A public module under test.

  Attributes:
    name: the test-case name.
    forward: deterministic outputs (a dict of arrays) of the module, run
      under `hk.transform_with_state`.
    inputs: maps a batch shape to the input arrays.
    param_shapes: the pinned parameter tree `{module: {name: shape}}`.
    loss: a scalar loss for the gradient check, or None (no parameters).
    ensemble_size: if set, parameters have a leading member axis and each
      member must get a gradient.
    state: a Haiku state to use instead of the initial one.
  """

  name: str
  forward: Callable[..., Any]
  inputs: Callable[[tuple[int, ...]], tuple[np.ndarray, ...]]
  param_shapes: dict[str, dict[str, tuple[int, ...]]]
  loss: Callable[..., jax.Array] | None = None
  ensemble_size: int | None = None
  state: dict[str, Any] | None = None


def _core_case(core_cls, unroll):
  """The case of a core's step, or of its unroll over STEPS steps."""
  lstm = core_cls is LSTMCore
  return Case(
      name=f"{'lstm' if lstm else 'gru'}_core_{'unroll' if unroll else 'step'}",
      forward=_core_outputs(core_cls, unroll),
      inputs=_core_inputs(
          (STEPS,) if unroll else (), num_states=2 if lstm else 1),
      param_shapes=_CORE_PARAM_SHAPES[core_cls],
      loss=_core_loss(core_cls, unroll),
  )


CASES = (
    Case(
        name="mlp_torso",
        forward=lambda x: {"out": MLPTorso((8, 8))(x)},
        inputs=_obs_only,
        param_shapes=_prefixed("mlp_torso", _torso_lin(OBS, (8, 8))),
        loss=lambda x: jnp.sum(jnp.square(MLPTorso((8, 8))(x))),
    ),
    Case(
        name="mlp_torso_layer_norm",
        forward=lambda x:
        {"out": MLPTorso((8, 8), layer_norm=True, activate_final=False)(x)},
        inputs=_obs_only,
        param_shapes={
            **_prefixed("mlp_torso", _torso_lin(OBS, (8, 8))),
            "mlp_torso/layer_norm_0": {
                "scale": (8,),
                "offset": (8,)
            },
        },
        loss=lambda x: jnp.sum(
            jnp.square(
                MLPTorso((8, 8), layer_norm=True, activate_final=False)(x))),
    ),
    Case(
        name="gaussian_head",
        forward=lambda x, a: _gaussian_outputs(_gaussian_head()(x), a),
        inputs=_obs_act,
        param_shapes={
            "gaussian_head/loc": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
            "gaussian_head/std": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
        },
        loss=lambda x, a: _sample_loss(_gaussian_head()(x)),
    ),
    Case(
        name="gaussian_head_state_independent_std",
        forward=lambda x, a: _gaussian_outputs(_gaussian_head_fixed_std()
                                               (x), a),
        inputs=_obs_act,
        param_shapes={
            "gaussian_head": {
                "raw_std": (ACT,)
            },
            "gaussian_head/loc": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
        },
        loss=lambda x, a: _sample_loss(_gaussian_head_fixed_std()(x)),
    ),
    Case(
        name="tanh_gaussian_head",
        forward=_tanh_outputs,
        inputs=_obs_act,
        param_shapes={
            "tanh_gaussian_head/loc": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
            "tanh_gaussian_head/std": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
        },
        loss=lambda x, a: _sample_loss(_tanh_head()(x)),
    ),
    Case(
        name="tanh_gaussian_head_state_independent_std",
        forward=lambda x, a: _gaussian_outputs(_tanh_head_fixed_std()(x), a),
        inputs=_obs_act,
        param_shapes={
            "tanh_gaussian_head": {
                "raw_std": (ACT,)
            },
            "tanh_gaussian_head/loc": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
        },
        loss=lambda x, a: _sample_loss(_tanh_head_fixed_std()(x)),
    ),
    Case(
        name="deterministic_head",
        forward=lambda x: {"action": DeterministicHead((LOW, HIGH))(x)},
        inputs=_obs_only,
        param_shapes={
            "deterministic_head/linear": {
                "w": (OBS, ACT),
                "b": (ACT,)
            }
        },
        loss=lambda x: jnp.sum(
            DeterministicHead((LOW, HIGH))(x) * _weights((ACT,))),
    ),
    Case(
        name="categorical_head",
        forward=_categorical_outputs,
        inputs=_obs_mask,
        param_shapes={"categorical_head/linear": {
            "w": (OBS, 3),
            "b": (3,)
        }},
        loss=_categorical_loss,
    ),
    Case(
        name="multi_categorical_head",
        forward=_multi_categorical_outputs,
        inputs=_obs_multi_mask,
        param_shapes={
            "multi_categorical_head/linear": {
                "w": (OBS, sum(NVEC)),
                "b": (sum(NVEC),)
            }
        },
        loss=_multi_categorical_loss,
    ),
    Case(
        name="beta_head",
        forward=_beta_outputs,
        inputs=_obs_act,
        param_shapes={
            "beta_head/alpha": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
            "beta_head/beta": {
                "w": (OBS, ACT),
                "b": (ACT,)
            },
        },
        loss=lambda x, a: _sample_loss(_beta_head()(x)),
    ),
    _gsde_case("gsde_head", _gsde_head, ACT),
    _gsde_case("gsde_head_squashed_reduced_expln", _gsde_head_squashed, 1),
    Case(
        name="value_head",
        forward=lambda x: {"value": ValueHead()(x)},
        inputs=_obs_only,
        param_shapes={"value_head/linear": {
            "w": (OBS, 1),
            "b": (1,)
        }},
        loss=lambda x: jnp.sum(ValueHead()(x) * 1.5),
    ),
    Case(
        name="q_head",
        forward=lambda x, a: {"q": QHead((8,))(x, a)},
        inputs=_obs_act,
        param_shapes={
            **_prefixed("q_head/mlp_torso", _torso_lin(OBS + ACT, (8,))),
            "q_head/linear": {
                "w": (8, 1),
                "b": (1,)
            },
        },
        loss=lambda x, a: jnp.sum(QHead((8,))(x, a)),
    ),
    Case(
        name="critic_ensemble",
        forward=lambda x, a:
        {"q": CriticEnsemble(3, (8, 8), layer_norm=True)(x, a)},
        inputs=_obs_act,
        param_shapes=_with_axis(
            3,
            {
                **_prefixed(
                    "critic_ensemble/q_head/mlp_torso",
                    _torso_lin(OBS + ACT, (8, 8)),
                ),
                "critic_ensemble/q_head/mlp_torso/layer_norm_0": {
                    "scale": (8,),
                    "offset": (8,),
                },
                "critic_ensemble/q_head/mlp_torso/layer_norm_1": {
                    "scale": (8,),
                    "offset": (8,),
                },
                "critic_ensemble/q_head/linear": {
                    "w": (8, 1),
                    "b": (1,)
                },
            },
        ),
        loss=lambda x, a: jnp.sum(
            CriticEnsemble(3, (8, 8), layer_norm=True)
            (x, a) * jnp.arange(1.0, 4.0)[:, None]),
        ensemble_size=3,
    ),
    Case(
        name="quantile_critic_ensemble",
        forward=lambda x, a:
        {"z": QuantileCriticEnsemble(2, QUANTILES, (8,))(x, a)},
        inputs=_obs_act,
        param_shapes=_with_axis(
            2,
            {
                **_prefixed("quantile_critic_ensemble/q_head/mlp_torso",
                            _torso_lin(OBS + ACT, (8,))),
                "quantile_critic_ensemble/q_head/linear": {
                    "w": (8, QUANTILES),
                    "b": (QUANTILES,)
                },
            },
        ),
        loss=lambda x, a: jnp.sum(
            QuantileCriticEnsemble(2, QUANTILES, (8,))
            (x, a) * jnp.arange(1.0, 3.0)[:, None, None]),
        ensemble_size=2,
    ),
    Case(
        name="conv_torso",
        forward=lambda x: {"out": _conv_torso()(x)},
        inputs=_pixels(8, 2),
        param_shapes={
            **_prefixed("conv_torso", _conv_shapes([(3, 2, 4), (2, 4, 4)])),
            # SAME padding, strides 2 then 1: 8x8 -> 4x4 -> 4x4, 4 channels.
            **_prefixed("conv_torso/mlp_torso", _torso_lin(4 * 4 * 4, (8,))),
        },
        loss=_square_sum(_conv_torso),
    ),
    Case(
        name="nature_cnn_torso",
        forward=lambda x: {"out": _nature_torso()(x)},
        inputs=_pixels(36, 1),  # The smallest image: 1x1 after the convs.
        param_shapes={
            **_prefixed(
                "nature_cnn_torso",
                _conv_shapes([(8, 1, 32), (4, 32, 64), (3, 64, 64)]),
            ),
            **_prefixed("nature_cnn_torso/mlp_torso", _torso_lin(64, (8,))),
        },
        loss=_square_sum(_nature_torso),
    ),
    Case(
        name="impala_torso",
        forward=lambda x: {"out": _impala_torso()(x)},
        inputs=_pixels(8, 1),  # 8x8 -> 4x4 -> 2x2.
        param_shapes={
            **_prefixed("impala_torso", _impala_shapes(1, (4, 4), 2)),
            **_prefixed("impala_torso/mlp_torso", _torso_lin(2 * 2 * 4, (8,))),
        },
        loss=_square_sum(_impala_torso),
    ),
    *[
        _core_case(core_cls, unroll)
        for core_cls in (LSTMCore, GRUCore)
        for unroll in (False, True)
    ],
    Case(
        name="running_normalizer",
        forward=lambda x: {"out": RunningNormalizer(clip=1.5)(x, update=False)},
        inputs=_obs_only,
        param_shapes={},
        state={
            "running_normalizer": {
                "count": np.float32(10.0),
                "mean": np.array([0.5, -1.0, 0.0], np.float32),
                "var": np.array([4.0, 0.25, 1.0], np.float32),
            }
        },
    ),
)

CASES_WITH_LOSS = tuple(c for c in CASES if c.loss is not None)


def random_params(init_fn, *inputs):
  """The parameters `init_fn(INIT_KEY, *inputs)` makes, drawn by NumPy.

  The checks here hold for any parameters, and running the initializers
  costs XLA a compilation for each new parameter shape (0.2 to 2 s on a
  CPU, several seconds for a conv torso). So the shapes come from
  `jax.eval_shape` (nothing runs) and the values from a fixed NumPy
  generator: `N(0, 1/fan_in)` for weights (rank >= 2, fan-in the product of
  all but the last axis) and `N(0, 0.1^2)` for vectors, biases included.

  Args:
    init_fn: a Haiku `init` whose output is the parameters.
    *inputs: its example inputs.

  Returns:
    The parameters, as JAX arrays.
  """
  rng = np.random.default_rng(5)

  def draw(leaf):
    fan_in = math.prod(leaf.shape[:-1]) if len(leaf.shape) >= 2 else 100
    return jnp.asarray(
        rng.normal(scale=fan_in**-0.5, size=leaf.shape), leaf.dtype)

  return jax.tree_util.tree_map(draw, jax.eval_shape(init_fn, INIT_KEY,
                                                     *inputs))


def init(case: Case, batch_shape=(BATCH,)):
  """Returns `(forward_apply, params, state, inputs)` for `case`.

  Parameters from `random_params`; the Haiku state from `case.state` or, for
  a stateful module without it, from the module's init.
  """
  forward = hk.transform_with_state(case.forward)
  inputs = case.inputs(batch_shape)
  params = random_params(lambda *xs: forward.init(*xs)[0], *inputs)
  state = case.state
  if state is None:
    state = jax.eval_shape(forward.init, INIT_KEY, *inputs)[1]
    if jax.tree_util.tree_leaves(state):
      state = forward.init(INIT_KEY, *inputs)[1]
  return forward.apply, params, state, inputs


def outputs(apply, params, state, *inputs):
  """The forward outputs only (drops the returned state)."""
  return apply(params, state, APPLY_KEY, *inputs)[0]


def _named(cases):
  return [(c.name, c) for c in cases]


def _shapes(tree):
  return jax.tree_util.tree_map(lambda x: tuple(x.shape),
                                hk.data_structures.to_mutable_dict(tree))


class ConformanceTest(chex.TestCase):

  @parameterized.named_parameters(*_named(CASES))
  def test_param_names_and_shapes_pinned(self, case):
    _, params, _, _ = init(case)
    self.assertEqual(_shapes(params), case.param_shapes)

  # No chex variants here: under `without_jit` this would compare an eager
  # call with an eager call, which cannot fail. `disable_jit` makes the
  # library's own jitted helpers (the TanhNormal quadrature) eager too.
  @parameterized.named_parameters(*_named(CASES))
  def test_jit_matches_eager(self, case):
    apply, params, state, inputs = init(case)
    with jax.disable_jit():
      eager = outputs(apply, params, state, *inputs)
    jitted = jax.jit(outputs, static_argnums=0)(apply, params, state, *inputs)
    chex.assert_trees_all_close(jitted, eager, rtol=RTOL, atol=ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.named_parameters(*_named(CASES))
  def test_vmap_matches_batched_call(self, case):
    apply, params, state, inputs = init(case)
    batched = outputs(apply, params, state, *inputs)
    mapped = self.variant(
        jax.vmap(lambda *xs: outputs(apply, params, state, *xs)))(*inputs)
    if case.ensemble_size:  # `[N, ...]`: vmap puts the batch axis first.
      mapped = jax.tree_util.tree_map(lambda y: jnp.moveaxis(y, 0, 1), mapped)
    chex.assert_trees_all_close(mapped, batched, rtol=RTOL, atol=ATOL)

  @parameterized.named_parameters(*_named(CASES))
  def test_two_leading_dims_match_one(self, case):
    apply, params, state, _ = init(case)
    flat = outputs(apply, params, state, *case.inputs((2 * 3,)))
    nested = outputs(apply, params, state, *case.inputs((2, 3)))
    if case.ensemble_size:
      flat = jax.tree_util.tree_map(
          lambda y: y.reshape(y.shape[0], 2, 3, *y.shape[2:]), flat)
    else:
      flat = jax.tree_util.tree_map(lambda y: y.reshape(2, 3, *y.shape[1:]),
                                    flat)
    chex.assert_trees_all_close(nested, flat, rtol=RTOL, atol=ATOL)

  @parameterized.named_parameters(*_named(CASES_WITH_LOSS))
  def test_gradients_reach_every_parameter(self, case):
    inputs = case.inputs((BATCH,))
    loss = hk.transform(case.loss)
    params = random_params(loss.init, *inputs)
    # Jitted: one compile, where eager differentiation compiles every op (of
    # the gradient too) on its own; the gradients are the same.
    grads = jax.jit(jax.grad(loss.apply))(params, APPLY_KEY, *inputs)
    for path, grad in jax.tree_util.tree_flatten_with_path(grads)[0]:
      grad = np.asarray(grad)
      self.assertTrue(np.all(np.isfinite(grad)), msg=jax.tree_util.keystr(path))
      members = grad if case.ensemble_size else grad[None]
      for i, member in enumerate(members):
        self.assertTrue(
            np.any(member != 0.0),
            msg=f"no gradient at {jax.tree_util.keystr(path)}, member {i}",
        )


if __name__ == "__main__":
  absltest.main()
