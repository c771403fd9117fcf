"""Tests for examples/plumbing/evaluation.py, against plain Python loops."""

from absl.testing import absltest
import gymnasium as gym
import gymnax
import jax
import jax.numpy as jnp
import numpy as np

from examples.plumbing import envs
from examples.plumbing import evaluation

# The scan and the Python loop add the same float32 rewards in the same order.
RETURN_RTOL = 1e-6
EPISODES = 3


def _zero_action(params, obs):
  del params
  return jnp.zeros((obs.shape[0], 1))


def _gymnax_loop(name, action, key):
  """Return of episode 0 of `evaluate(..., key)` by a Python loop on gymnax.

  `action`: the action, or `action(t)` for step `t` = 0, 1, ...
  """
  env, params = gymnax.make(name)
  reset_key, step_key = jax.random.split(key)
  obs, state = env.reset(jax.random.split(reset_key, EPISODES)[0], params)
  total = np.float32(0.0)
  for t, key_t in enumerate(
      jax.random.split(step_key, params.max_steps_in_episode)):
    key_0 = jax.random.split(key_t, EPISODES)[0]
    obs, state, r_t, terminated, truncated, _ = env.step(
        key_0, state,
        action(t) if callable(action) else action, params)
    total += np.float32(r_t)
    if terminated or truncated:
      break
  return total


class EvaluateTest(absltest.TestCase):

  def test_zero_action_pendulum_matches_python_rollout(self):
    env = envs.make("gymnax:Pendulum-v1", EPISODES)
    key = jax.random.PRNGKey(0)
    returns = evaluation.evaluate(env, _zero_action, None, key)
    self.assertEqual(returns.shape, (EPISODES,))
    expected = _gymnax_loop("Pendulum-v1", jnp.zeros((1,)), key)
    np.testing.assert_allclose(returns[0], expected, rtol=RETURN_RTOL)

  def test_recurrent_policy_carries_its_state_from_a_reset(self):
    # The state counts the steps of the episode; the policy pushes left for
    # 4 steps, then right for 4, ... The initial state (-99) is reset at the
    # first step (is_first), so counting starts at 0 as in the loop.
    def policy(params, obs, is_first, count):
      del params, obs
      count = jnp.where(is_first, 0, count)
      return (count // 4 % 2).astype(jnp.int32), count + 1

    env = envs.make("gymnax:CartPole-v1", EPISODES)
    key = jax.random.PRNGKey(2)
    returns = evaluation.evaluate_recurrent(env, policy,
                                            jnp.full((EPISODES,), -99), None,
                                            key)
    expected = _gymnax_loop("CartPole-v1", lambda t: jnp.int32(t // 4 % 2), key)
    np.testing.assert_allclose(returns[0], expected, rtol=RETURN_RTOL)
    # Counting from the initial state, without the reset, scores otherwise.
    self.assertNotEqual(
        float(expected),
        float(
            _gymnax_loop("CartPole-v1", lambda t: jnp.int32((t - 99) // 4 % 2),
                         key)))

  def test_return_stops_at_first_done(self):
    # Always pushing left topples the pole in a few dozen steps, well before
    # the 500-step limit; the environment then auto-resets and the scan goes
    # on, but the return must stop.
    env = envs.make("gymnax:CartPole-v1", EPISODES)
    key = jax.random.PRNGKey(1)
    returns = evaluation.evaluate(
        env, lambda p, o: jnp.zeros(o.shape[:1], jnp.int32), None, key)
    expected = _gymnax_loop("CartPole-v1", jnp.int32(0), key)
    self.assertLess(float(returns[0]), 100.0)
    np.testing.assert_allclose(returns[0], expected, rtol=RETURN_RTOL)

  def test_gymnasium_episodes_match_a_plain_gymnasium_loop(self):
    env = envs.make("gymnasium:InvertedPendulum-v5", EPISODES)
    key = jax.random.PRNGKey(2)
    policy = lambda params, obs: jnp.clip(params * obs[:, 1:2], -3.0, 3.0)
    returns = jax.jit(lambda p, k: evaluation.evaluate(env, policy, p, k))(
        jnp.float32(5.0), key)
    # Episode i starts from reset(seed=s + i), s drawn from the reset key.
    seed = int(jax.random.randint(jax.random.split(key)[0], (), 0, 2**30))
    expected = []
    for i in range(EPISODES):
      plain = gym.make("InvertedPendulum-v5")
      obs, _ = plain.reset(seed=seed + i)
      total, done = 0.0, False
      while not done:
        action = np.clip(np.float32(5.0) * np.float32(obs[1]), -3.0, 3.0)
        obs, reward, terminated, truncated, _ = plain.step(
            np.array([action], np.float32))
        total += reward
        done = terminated or truncated
      expected.append(total)
    np.testing.assert_allclose(returns, expected, rtol=RETURN_RTOL)

  def test_compiles_once_and_is_deterministic(self):
    traces = []

    def policy(params, obs):
      traces.append(None)  # Runs only while tracing.
      return params * jnp.zeros((obs.shape[0], 1))

    env = envs.make("gymnax:Pendulum-v1", 2)
    evaluate = jax.jit(lambda p, k: evaluation.evaluate(env, policy, p, k))
    key = jax.random.PRNGKey(2)
    first = evaluate(jnp.float32(1.0), key)
    again = evaluate(jnp.float32(2.0), key)
    self.assertLen(traces, 1)
    np.testing.assert_array_equal(first, again)


if __name__ == "__main__":
  absltest.main()
