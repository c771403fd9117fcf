"""Tests for the gSDE noise state: `gsde_noise_init` and `gsde_noise_update`.

The reference for a draw is `jax.random.normal` on the same key; the redraw
schedule is checked by counting the distinct matrices a jitted `lax.scan`
acts with.
"""

from absl.testing import absltest
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import GSDENoise
from haiku_policies import gsde_noise_init
from haiku_policies import gsde_noise_update

KEY = jax.random.PRNGKey(0)
EVERY = 3
STEPS = 7


class GSDENoiseTest(absltest.TestCase):

  def test_init_draws_standard_normal_matrices_of_the_batch_shape(self):
    noise = gsde_noise_init(KEY, 5, 2, batch_shape=(4,))
    self.assertIsInstance(noise, GSDENoise)
    np.testing.assert_array_equal(noise.eps, jax.random.normal(KEY, (4, 5, 2)))
    self.assertEqual(int(noise.steps), 0)

  def test_each_matrix_serves_every_steps_in_a_scan(self):

    def step(noise, key):
      used = noise.eps  # Act with it, then count the step.
      return gsde_noise_update(noise, key, every=EVERY), used

    keys = jax.random.split(jax.random.PRNGKey(1), STEPS)
    _, used = jax.jit(lambda n: jax.lax.scan(step, n, keys))(
        gsde_noise_init(KEY, 5, 2))
    # Which matrix each step used: a new index at each redraw.
    changed = np.any(np.asarray(used[1:] != used[:-1]), axis=(1, 2))
    index = np.concatenate([[0], np.cumsum(changed)])
    np.testing.assert_array_equal(index, np.arange(STEPS) // EVERY)

  def test_update_keeps_batch_shape_and_dtype(self):
    noise = gsde_noise_init(KEY, 5, 2, batch_shape=(3, 4))
    update = jax.jit(lambda n: gsde_noise_update(n, KEY, every=1))
    for _ in range(2):
      noise = update(noise)
    self.assertEqual(noise.eps.shape, (3, 4, 5, 2))
    self.assertEqual(noise.eps.dtype, jnp.float32)
    self.assertEqual(int(noise.steps), 0)


if __name__ == "__main__":
  absltest.main()
