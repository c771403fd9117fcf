"""Policy distributions with explicit reparameterized sampling."""

from haiku_policies.distributions.beta import Beta
from haiku_policies.distributions.diag_normal import DiagNormal
from haiku_policies.distributions.gsde import GSDENormal
from haiku_policies.distributions.gsde_noise import gsde_noise_init
from haiku_policies.distributions.gsde_noise import gsde_noise_update
from haiku_policies.distributions.gsde_noise import GSDENoise
from haiku_policies.distributions.multi_categorical import MultiCategorical
from haiku_policies.distributions.tanh_normal import TanhNormal

__all__ = (
    "Beta",
    "DiagNormal",
    "GSDENoise",
    "GSDENormal",
    "MultiCategorical",
    "TanhNormal",
    "gsde_noise_init",
    "gsde_noise_update",
)
