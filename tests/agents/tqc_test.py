"""Tests for `examples/tqc.py`: a tiny run, exact resume, the target, flags."""

from absl.testing import absltest
import jax
import numpy as np

import agent_testing
from examples import sac
from examples import tqc

# Small critics keep the compile short; updates start after step 50.
TINY = dict(
    hidden_sizes=(16, 16),
    num_critics=2,
    num_quantiles=5,
    drop_per_critic=1,
    batch_size=32,
    learning_starts=50,
    eval_episodes=2)
STEPS, CHUNK = 200, 100
# float32 sums of a few dozen terms against float64 NumPy.
LOSS_RTOL = 1e-5


def _quantile_huber_numpy(z, target):
  """TQC's critic loss in float64: mean over quantiles, atoms and batch of
  `|tau - 1{delta < 0}| * huber(delta)`, summed over the critics."""
  z, target = np.float64(z), np.float64(target)
  m = z.shape[-1]
  taus = (2 * np.arange(m) + 1) / (2 * m)
  delta = target[None, :, None, :] - z[..., None]  # [N, B, M, K]
  huber = np.where(np.abs(delta) <= 1, 0.5 * delta**2, np.abs(delta) - 0.5)
  weight = np.abs(taus[:, None] - (delta < 0))
  return (weight * huber).mean((1, 2, 3)).sum()


class TqcRunTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.summary = agent_testing.tiny_run(
        tqc, total_steps=STEPS, eval_every=CHUNK, **TINY)

  def test_tiny_run_writes_run_folder(self):
    summary = self.summary
    agent_testing.assert_run_folder(self, summary)
    self.assertEqual((summary["algo"], summary["total_steps"]), ("tqc", STEPS))
    state = agent_testing.final_state(tqc, summary)
    # [N, H, M]: the output layer holds every critic's quantiles.
    w = state.params.critic["quantile_critic_ensemble/q_head/linear"]["w"]
    self.assertEqual(w.shape, (2, 16, 5))

  def test_resume_reproduces_uninterrupted_run(self):
    agent_testing.assert_resume_reproduces(
        self, tqc, chunk_steps=CHUNK, straight=self.summary, **TINY)


class TqcTargetTest(absltest.TestCase):

  def test_truncation_drops_exactly_the_top_d_times_n_atoms(self):
    n, b, m, d = 3, 4, 5, 2
    z = np.random.default_rng(0).normal(size=(n, b, m)).astype(np.float32)
    atoms = np.asarray(tqc.truncated_atoms(z, d))
    pooled = np.sort(z.transpose(1, 0, 2).reshape(b, n * m), axis=-1)
    self.assertEqual(atoms.shape, (b, (m - d) * n))
    np.testing.assert_array_equal(atoms, pooled[:, :(m - d) * n])
    # What was dropped is the d * N largest, none of them kept.
    self.assertTrue(np.all(atoms.max(-1) <= pooled[:, -d * n:].min(-1)))

  def test_truncation_of_zero_keeps_every_atom(self):
    z = np.arange(24, dtype=np.float32).reshape(2, 3, 4)[..., ::-1]
    atoms = np.asarray(tqc.truncated_atoms(z, 0))
    np.testing.assert_array_equal(atoms[0], np.sort(z[:, 0].ravel()))

  def test_critic_loss_is_the_quantile_huber_loss(self):
    config = tqc.Config(**TINY)
    critics = tqc.quantile_critics(config)
    rng = np.random.default_rng(1)
    z = rng.normal(scale=2.0, size=(2, 6, 5)).astype(np.float32)
    target = rng.normal(scale=2.0, size=(6, 8)).astype(np.float32)
    np.testing.assert_allclose(
        float(jax.jit(critics.loss)(z, target)),
        _quantile_huber_numpy(z, target),
        rtol=LOSS_RTOL)

  def test_actor_value_is_the_mean_of_all_atoms(self):
    critics = tqc.quantile_critics(tqc.Config(**TINY))
    z = np.random.default_rng(2).normal(size=(2, 6, 5)).astype(np.float32)
    np.testing.assert_allclose(
        np.asarray(critics.actor_value(z)), z.mean((0, 2)), rtol=LOSS_RTOL)


class TqcFlagsTest(absltest.TestCase):

  def test_bad_flags_fail_with_message(self):
    agent_testing.assert_bad_flags(
        self, tqc,
        ((["--env", "CartPole-v1"], "discrete actions; TQC needs continuous"),
         (["--num-quantiles", "4", "--drop-per-critic", "4"
          ], "`--drop-per-critic` must be >= 0 and < `--num-quantiles`"),
         (["--drop-per-critic", "-1"], "`--drop-per-critic`"),
         (["--num-critics", "0"], "`--num-critics` must be > 0"),
         (["--learning-starts", "10000"], "would never update")))

  def test_defaults_are_the_papers_critics(self):
    config = tqc.Config()
    self.assertEqual(
        (config.num_critics, config.num_quantiles, config.drop_per_critic),
        (5, 25, 2))

  def test_other_defaults_are_sbx_settings(self):
    # Its RESULTS rows compare with SBX at SBX's settings, sac's preset.
    config = tqc.Config()
    for name, value in sac.SBX.items():
      self.assertEqual(getattr(config, name), value, name)


if __name__ == "__main__":
  absltest.main()
