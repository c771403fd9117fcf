"""Makes the shared test helpers and the example scripts importable.

`tests/` holds the helpers (`reference`, `multidevice`, `agent_testing`);
`examples/` is not an installed package, so its directory goes on `sys.path`.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.join(os.path.dirname(_HERE), "examples"))
