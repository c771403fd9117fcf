"""Independent float64 references (NumPy/SciPy) shared by the tests.

Nothing here uses haiku_policies: each function recomputes a quantity from its
definition so the library can be checked against it.
"""

import math

import numpy as np
from scipy import integrate
from scipy import stats


def _half_range(low, high):
  low, high = np.float64(low), np.float64(high)
  return (high + low) / 2, (high - low) / 2


def log1m_tanh_sq(u):
  """`log(1 - tanh(u)^2) = -2 log cosh(u)` in float64."""
  u = np.asarray(u, np.float64)
  return -2.0 * (np.logaddexp(u, -u) - np.log(2.0))


def tanh_normal_logpdf_1d(action, loc, scale, low=-1.0, high=1.0):
  """Log-density of `c + h tanh(u)`, `u ~ N(loc, scale)`, via `arctanh`."""
  centre, half = _half_range(low, high)
  z = (np.asarray(action, np.float64) - centre) / half
  u = np.arctanh(z)
  return (stats.norm.logpdf(u, loc, scale) - np.log(half) -
          np.log1p(-np.square(z)))


def tanh_normal_logpdf(action, loc, scale, low=-1.0, high=1.0):
  """Sum over the last axis of `tanh_normal_logpdf_1d` (finite bounds)."""
  return tanh_normal_logpdf_1d(action, np.float64(loc), np.float64(scale),
                               np.float64(low), np.float64(high)).sum(-1)


def tanh_normal_logpdf_from_pre_squash(u, loc, scale, low=-1.0, high=1.0):
  """Log-density of the action `squash(u)`, scored from `u`, summed."""
  _, half = _half_range(low, high)
  u = np.asarray(u, np.float64)
  return (stats.norm.logpdf(u, np.float64(loc), np.float64(scale)) -
          np.log(half) - log1m_tanh_sq(u)).sum(-1)


def _normal_logpdf(u, loc, scale):
  """`log N(u; loc, scale)` from its formula, for `quad`'s integrands.

  `quad` calls an integrand thousands of times with one float each, where
  `stats.norm`'s argument handling alone costs ~100 us a call.
  """
  z = (u - loc) / scale
  return -0.5 * z * z - np.log(scale) - 0.5 * np.log(2.0 * np.pi)


def _u_expectation(fn, loc, scale):
  """`E[fn(u)]`, `u ~ N(loc, scale)`, by adaptive quadrature over the line."""
  density = lambda u: fn(u) * np.exp(_normal_logpdf(u, loc, scale))
  lo, hi = loc - 40 * scale, loc + 40 * scale
  points = [0.0] if lo < 0.0 < hi else None
  value, _ = integrate.quad(
      density, lo, hi, points=points, limit=500, epsabs=1e-12, epsrel=1e-12)
  return value


def tanh_normal_entropy_1d(loc, scale, low=-1.0, high=1.0):
  """`-E[log p(a)]` of one squashed dimension, integrated in `u`."""
  _, half = _half_range(low, high)
  log_density = lambda u: (
      _normal_logpdf(u, loc, scale) - np.log(half) - log1m_tanh_sq(u))
  return -_u_expectation(log_density, loc, scale)


def tanh_normal_mean_1d(loc, scale, low=-1.0, high=1.0):
  centre, half = _half_range(low, high)
  return centre + half * _u_expectation(np.tanh, loc, scale)


def tanh_normal_mode_1d(loc, scale, low=-1.0, high=1.0, points=2_000_001):
  """Argmax of the density on a dense grid in `u`, returned as an action.

  The grid covers `loc ± (2 scale^2 + 10 scale)`, which contains every
  stationary point (they satisfy `|u - loc| <= 2 scale^2`).
  """
  centre, half = _half_range(low, high)
  width = 2 * scale**2 + 10 * scale
  u = np.linspace(loc - width, loc + width, points)
  log_density = stats.norm.logpdf(u, loc, scale) - log1m_tanh_sq(u)
  return centre + half * np.tanh(u[np.argmax(log_density)]), u[1] - u[0]


def integrate_density_1d(logpdf, low, high):
  """`∫ exp(logpdf(a)) da` over `(low, high)`."""
  value, _ = integrate.quad(
      lambda a: np.exp(logpdf(a)),
      low,
      high,
      limit=500,
      epsabs=1e-12,
      epsrel=1e-10)
  return value


def central_difference(fn, x, step=1e-6):
  """Gradient of the scalar float64 function `fn` at `x` by central differences."""
  x = np.asarray(x, np.float64)
  grad = np.zeros_like(x)
  for i in np.ndindex(x.shape):
    e = np.zeros_like(x)
    e[i] = step
    grad[i] = (fn(x + e) - fn(x - e)) / (2 * step)
  return grad


def normal_kl(loc_p, scale_p, loc_q, scale_q):
  """`KL(N(loc_p, scale_p) || N(loc_q, scale_q))` summed over the last axis."""
  loc_p, scale_p, loc_q, scale_q = (
      np.asarray(a, np.float64) for a in (loc_p, scale_p, loc_q, scale_q))
  return (np.log(scale_q / scale_p) + (scale_p**2 + (loc_p - loc_q)**2) /
          (2 * scale_q**2) - 0.5).sum(-1)


def beta_logpdf(value, alpha, beta, low=0.0, high=1.0):
  """Log-density of `low + (high - low) Beta(alpha, beta)`, summed over the
  last axis (`scipy.stats.beta` with `loc=low`, `scale=high - low`)."""
  low, high = np.float64(low), np.float64(high)
  return stats.beta.logpdf(
      np.asarray(value, np.float64), np.float64(alpha), np.float64(beta), low,
      high - low).sum(-1)


def _beta_logpdf_scalar(y, alpha, beta):
  """`log Beta(y; alpha, beta)` for one float64 `y` in `(0, 1)` (scalar math,
  fast inside `quad`; `beta_logpdf` is the SciPy cross-check of the same)."""
  log_norm = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
  return (alpha - 1) * math.log(y) + (beta - 1) * math.log1p(-y) - log_norm


def beta_expectation_1d(fn, alpha, beta, low=0.0, high=1.0):
  """`E[fn(x)]`, `x = low + (high - low) y`, `y ~ Beta(alpha, beta)`, by
  adaptive quadrature over `y` in `(0, 1)`."""
  alpha, beta, low, high = (float(v) for v in (alpha, beta, low, high))
  value, _ = integrate.quad(
      lambda y: fn(low + (high - low) * y) * math.exp(
          _beta_logpdf_scalar(y, alpha, beta)),
      0.0,
      1.0,
      limit=500,
      epsabs=1e-13,
      epsrel=1e-12)
  return value


def beta_kl_1d(alpha_p, beta_p, alpha_q, beta_q):
  """`KL(Beta(alpha_p, beta_p) || Beta(alpha_q, beta_q))` by quadrature of
  `p log(p / q)` (the same bounds cancel)."""
  alpha_p, beta_p, alpha_q, beta_q = (
      float(v) for v in (alpha_p, beta_p, alpha_q, beta_q))

  def integrand(y):
    log_p = _beta_logpdf_scalar(y, alpha_p, beta_p)
    return math.exp(log_p) * (log_p - _beta_logpdf_scalar(y, alpha_q, beta_q))

  value, _ = integrate.quad(
      integrand, 0.0, 1.0, limit=500, epsabs=1e-13, epsrel=1e-12)
  return value
