"""Policy distributions with explicit reparameterized sampling."""

from haiku_policies.distributions.beta import Beta
from haiku_policies.distributions.diag_normal import DiagNormal
from haiku_policies.distributions.multi_categorical import MultiCategorical
from haiku_policies.distributions.tanh_normal import TanhNormal

__all__ = ("Beta", "DiagNormal", "MultiCategorical", "TanhNormal")
