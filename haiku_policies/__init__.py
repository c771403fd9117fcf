"""haiku_policies: Haiku modules and distributions for RL policies in JAX."""

from haiku_policies.contracts import assert_tree_on_devices
from haiku_policies.conv_torsos import ConvTorso
from haiku_policies.conv_torsos import ImpalaTorso
from haiku_policies.conv_torsos import NatureCNNTorso
from haiku_policies.cores import GRUCore
from haiku_policies.cores import LSTMCore
from haiku_policies.critics import CriticEnsemble
from haiku_policies.critics import QHead
from haiku_policies.critics import QuantileCriticEnsemble
from haiku_policies.critics import ValueHead
from haiku_policies.distributions import Beta
from haiku_policies.distributions import DiagNormal
from haiku_policies.distributions import gsde_noise_init
from haiku_policies.distributions import gsde_noise_update
from haiku_policies.distributions import GSDENoise
from haiku_policies.distributions import GSDENormal
from haiku_policies.distributions import MultiCategorical
from haiku_policies.distributions import TanhNormal
from haiku_policies.heads_beta import BetaHead
from haiku_policies.heads_categorical import CategoricalHead
from haiku_policies.heads_categorical import MultiCategoricalHead
from haiku_policies.heads_deterministic import add_exploration_noise
from haiku_policies.heads_deterministic import add_target_smoothing_noise
from haiku_policies.heads_deterministic import DeterministicHead
from haiku_policies.heads_gaussian import GaussianHead
from haiku_policies.heads_gaussian import TanhGaussianHead
from haiku_policies.heads_gsde import GSDEHead
from haiku_policies.initializers import orthogonal_init
from haiku_policies.initializers import variance_scaling_init
from haiku_policies.normalization import normalize
from haiku_policies.normalization import normalizer_init
from haiku_policies.normalization import normalizer_update
from haiku_policies.normalization import NormalizerState
from haiku_policies.normalization import RunningNormalizer
from haiku_policies.specs import action_bounds
from haiku_policies.specs import action_nvec
from haiku_policies.std_transforms import make_std_transform
from haiku_policies.std_transforms import STD_TRANSFORMS
from haiku_policies.std_transforms import StdTransform
from haiku_policies.torsos import MLPTorso

__version__ = "0.1.0"

__all__ = (
    "Beta",
    "BetaHead",
    "CategoricalHead",
    "ConvTorso",
    "CriticEnsemble",
    "DeterministicHead",
    "DiagNormal",
    "GRUCore",
    "GSDEHead",
    "GSDENoise",
    "GSDENormal",
    "GaussianHead",
    "ImpalaTorso",
    "LSTMCore",
    "MLPTorso",
    "MultiCategorical",
    "MultiCategoricalHead",
    "NatureCNNTorso",
    "NormalizerState",
    "QHead",
    "QuantileCriticEnsemble",
    "RunningNormalizer",
    "STD_TRANSFORMS",
    "StdTransform",
    "TanhGaussianHead",
    "TanhNormal",
    "ValueHead",
    "action_bounds",
    "action_nvec",
    "add_exploration_noise",
    "add_target_smoothing_noise",
    "assert_tree_on_devices",
    "gsde_noise_init",
    "gsde_noise_update",
    "make_std_transform",
    "normalize",
    "normalizer_init",
    "normalizer_update",
    "orthogonal_init",
    "variance_scaling_init",
)
