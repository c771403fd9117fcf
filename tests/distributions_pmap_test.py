"""`pmap` over 2 fake CPU devices for the distributions.

JAX fixes the device count at its first operation, so the body runs in a
fresh subprocess (see `multidevice.py`).
"""

from absl.testing import absltest
import pytest

import multidevice

# Run once, in the full suite: `.ci/run` leaves them out of its
# minimum-versions step (`-m "not multidevice"`).
pytestmark = pytest.mark.multidevice


class DistributionsPmapTest(absltest.TestCase):

  def test_pmap_matches_single_device(self):
    out = multidevice.run_with_cpu_devices("""
        import jax, jax.numpy as jnp, numpy as np
        from haiku_policies import DiagNormal, TanhNormal
        assert jax.device_count() == 2, jax.devices()
        rng = np.random.default_rng(0)
        loc = rng.normal(size=(2, 5, 3)).astype(np.float32)
        scale = np.exp(rng.normal(size=(2, 5, 3))).astype(np.float32)
        keys = jax.random.split(jax.random.PRNGKey(0), 2)

        def stats(loc, scale, key):
          outs = []
          for dist in (DiagNormal(loc, scale), TanhNormal(loc, scale, -2., 3.)):
            action, log_prob = dist.sample_and_log_prob(seed=key)
            outs += [action, log_prob, dist.log_prob(action), dist.entropy(),
                     dist.mode()]
          return outs

        mapped = jax.pmap(stats)(loc, scale, keys)
        single = [jax.jit(stats)(loc[i], scale[i], keys[i]) for i in range(2)]
        for i in range(2):
          for a, b in zip(mapped, single[i]):
            np.testing.assert_allclose(a[i], b, rtol=1e-5, atol=1e-6)
        dist = jax.pmap(lambda l, s: TanhNormal(l, s, -2., 3.))(loc, scale)
        assert isinstance(dist, TanhNormal) and dist.batch_shape == (2, 5)
        print("ok", len(mapped))
        """)
    self.assertIn("ok 10", out)


if __name__ == "__main__":
  absltest.main()
