"""Tiny agents built from the library: hk.transform + optax + an rlax loss.

Each test takes a few jitted gradient steps on fixed random data and checks
that the loss goes down. Shapes: `T` time steps, `B` batch, `O`/`A` as usual.
"""

from absl.testing import absltest
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
import rlax

from haiku_policies.critics import CriticEnsemble
from haiku_policies.critics import ValueHead
from haiku_policies.heads_categorical import CategoricalHead
from haiku_policies.heads_gaussian import GaussianHead
from haiku_policies.heads_gaussian import TanhGaussianHead
from haiku_policies.normalization import RunningNormalizer
from haiku_policies.torsos import MLPTorso

T, B, O, A = 8, 16, 4, 2
NUM_STEPS = 25
LOW = np.array([-2.0, -1.0], np.float32)
HIGH = np.array([2.0, 1.0], np.float32)
KEY = jax.random.PRNGKey(0)


def _rollout(seed=0):
  rng = np.random.default_rng(seed)
  return {
      "obs": (rng.normal(size=(T + 1, B, O)) * 3.0 + 1.0).astype(np.float32),
      "reward": rng.normal(size=(T, B)).astype(np.float32),
      "discount": np.full((T, B), 0.99, np.float32),
      "mask": rng.uniform(size=(T, B, 3)) > 0.3,
  }


def _train(loss_fn, params, extra, num_steps=NUM_STEPS, lr=3e-3):
  """Runs `num_steps` jitted Adam steps; returns (losses, params)."""
  opt = optax.adam(lr)

  @jax.jit
  def step(params, opt_state):
    loss, grads = jax.value_and_grad(loss_fn)(params, *extra)
    updates, opt_state = opt.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state, loss

  opt_state = opt.init(params)
  losses = []
  for _ in range(num_steps):
    params, opt_state, loss = step(params, opt_state)
    losses.append(float(loss))
  return losses, params


class PPOAgentTest(chex.TestCase):

  def test_clipped_surrogate_and_value_loss_go_down(self):

    def network(obs):
      obs = RunningNormalizer(clip=5.0)(obs)
      actor = MLPTorso((32, 32),
                       activation=jnp.tanh,
                       w_init="orthogonal",
                       name="actor")
      critic = MLPTorso((32, 32),
                        activation=jnp.tanh,
                        w_init="orthogonal",
                        name="critic")
      dist = GaussianHead(
          A,
          state_dependent_std=False,
          std_transform="exp",
          w_init="orthogonal")(
              actor(obs))
      return dist, ValueHead(w_init="orthogonal")(critic(obs))

    net = hk.transform_with_state(network)
    data = _rollout()
    params, state = net.init(KEY, data["obs"])
    # Collect: update the normaliser once, act with the initial policy.
    (dist, values), state = net.apply(params, state, None, data["obs"])
    actions, old_log_prob = dist.sample_and_log_prob(seed=KEY)
    actions, old_log_prob = actions[:-1], old_log_prob[:-1]
    adv = jax.vmap(
        rlax.truncated_generalized_advantage_estimation,
        in_axes=(1, 1, None, 1),
        out_axes=1,
    )(data["reward"], data["discount"], 0.95, values)
    returns = adv + values[:-1]
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)

    def loss_fn(params, state, obs, actions, old_log_prob, adv, returns):
      (dist, values), _ = net.apply(params, state, None, obs[:-1])
      ratio = jnp.exp(dist.log_prob(actions) - old_log_prob)
      pg = rlax.clipped_surrogate_pg_loss(
          ratio.reshape(-1), adv.reshape(-1), 0.2)
      value = jnp.mean(rlax.l2_loss(values, returns))
      return pg + 0.5 * value - 0.01 * jnp.mean(dist.entropy())

    losses, _ = _train(
        loss_fn,
        params,
        (state, data["obs"], actions, old_log_prob, adv, returns),
    )
    self.assertTrue(np.all(np.isfinite(losses)))
    self.assertLess(losses[-1], losses[0] - 0.1 * abs(losses[0]))


class DiscreteActorCriticTest(chex.TestCase):

  def test_masked_policy_gradient_loss_goes_down(self):

    def network(obs, mask):
      h = MLPTorso((32,))(obs)
      return CategoricalHead(3)(h, mask=mask).logits, ValueHead()(h)

    net = hk.without_apply_rng(hk.transform(network))
    data = _rollout(1)
    obs, mask = data["obs"][:-1], data["mask"]
    mask[..., 0] = True  # Keep one action allowed everywhere.
    params = net.init(KEY, obs, mask)
    rng = np.random.default_rng(2)
    actions = np.where(mask[..., 2], 2, 0).astype(np.int32)
    adv = rng.normal(size=(T, B)).astype(np.float32)
    returns = rng.normal(size=(T, B)).astype(np.float32)

    def loss_fn(params, obs, mask, actions, adv, returns):
      logits, values = net.apply(params, obs, mask)
      flat = lambda x: x.reshape(T * B, *x.shape[2:])
      pg = rlax.policy_gradient_loss(
          flat(logits), flat(actions), flat(adv), jnp.ones(T * B))
      return pg + 0.5 * jnp.mean(rlax.l2_loss(values, returns))

    losses, params = _train(loss_fn, params, (obs, mask, actions, adv, returns))
    self.assertLess(losses[-1], losses[0] - 0.1 * abs(losses[0]))
    logits, _ = net.apply(params, obs, mask)
    self.assertTrue(np.all(np.asarray(jax.nn.softmax(logits))[~mask] == 0.0))


class SACAgentTest(chex.TestCase):

  def setUp(self):
    super().setUp()
    self.actor = hk.transform(lambda obs: TanhGaussianHead(
        (LOW, HIGH), std_transform="clipped_exp", init_std=0.5)(MLPTorso(
            (32, 32), w_init="variance_scaling")(obs)))
    self.critic = hk.without_apply_rng(
        hk.transform(lambda obs, act: CriticEnsemble(
            2, (32, 32), layer_norm=True)(obs, act)))
    data = _rollout(3)
    self.obs_tm1, self.obs_t = data["obs"][0], data["obs"][1]
    self.r_t, self.discount_t = data["reward"][0], data["discount"][0]
    self.a_tm1 = (
        np.random.default_rng(4).uniform(LOW, HIGH,
                                         size=(B, A)).astype(np.float32))
    self.actor_params = self.actor.init(KEY, self.obs_tm1)
    self.critic_params = self.critic.init(KEY, self.obs_tm1, self.a_tm1)
    self.alpha = 0.2

  def test_critic_td_loss_goes_down_with_fixed_target(self):
    actor, critic, alpha = self.actor, self.critic, self.alpha
    target_params = self.critic_params

    def loss_fn(params, actor_params, obs_tm1, a_tm1, r_t, discount_t, obs_t):
      dist = actor.apply(actor_params, None, obs_t)
      a_t, log_prob_t = dist.sample_and_log_prob(seed=jax.random.PRNGKey(5))
      q_t = critic.apply(target_params, obs_t, a_t).min(axis=0)
      target = jax.lax.stop_gradient(r_t + discount_t *
                                     (q_t - alpha * log_prob_t))
      q_tm1 = critic.apply(params, obs_tm1, a_tm1)  # [2, B].
      return jnp.mean(rlax.l2_loss(q_tm1, target))

    losses, _ = _train(
        loss_fn,
        self.critic_params,
        (
            self.actor_params,
            self.obs_tm1,
            self.a_tm1,
            self.r_t,
            self.discount_t,
            self.obs_t,
        ),
    )
    self.assertLess(losses[-1], 0.5 * losses[0])

  def test_actor_loss_goes_down_with_fixed_critic(self):
    actor, critic, alpha = self.actor, self.critic, self.alpha
    critic_params = self.critic_params

    def loss_fn(params, obs):
      dist = actor.apply(params, None, obs)
      a, log_prob = dist.sample_and_log_prob(seed=jax.random.PRNGKey(6))
      q = critic.apply(critic_params, obs, a).min(axis=0)
      return jnp.mean(alpha * log_prob - q)

    losses, _ = _train(loss_fn, self.actor_params, (self.obs_tm1,))
    self.assertTrue(np.all(np.isfinite(losses)))
    self.assertLess(losses[-1], losses[0] - 0.1 * abs(losses[0]))


if __name__ == "__main__":
  absltest.main()
