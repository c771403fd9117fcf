"""Policy distributions with explicit reparameterized sampling."""

from haiku_policies.distributions.diag_normal import DiagNormal
from haiku_policies.distributions.tanh_normal import TanhNormal

__all__ = ("DiagNormal", "TanhNormal")
