"""Makes the shared test helpers and the example agents importable.

`tests/` holds the helpers (`reference`, `multidevice`, `agent_testing`); the
repository root makes `examples` (not an installed package) importable as
`from examples import sac`, as the README shows.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))
