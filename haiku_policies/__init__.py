"""haiku_policies: Haiku modules and distributions for RL policies in JAX."""

from haiku_policies.distributions import DiagNormal
from haiku_policies.distributions import TanhNormal

__version__ = "0.1.0"

__all__ = (
    "DiagNormal",
    "TanhNormal",
)
