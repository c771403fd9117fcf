"""Sphinx configuration: the API reference, generated from the docstrings.

Build it from the repository root (warnings are errors, as in `.ci/run`):
`sphinx-build -W --keep-going -b html docs docs/_build/html`.
"""

import os
import sys

# Document the checkout, whether or not it is installed.
sys.path.insert(0, os.path.abspath(".."))

import haiku_policies  # pylint: disable=wrong-import-position

project = "haiku_policies"
author = "the haiku_policies authors"
copyright = "the haiku_policies authors"  # pylint: disable=redefined-builtin
version = release = haiku_policies.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
exclude_patterns = ["_build"]

# The docstrings write code in single backticks: render it as inline code, not
# as reST's default (italic) interpreted text.
default_role = "code"

# autodoc. The constructor is documented as `__init__`, under the class
# docstring: Haiku modules and distrax distributions hide its signature from
# the class itself (`hk.Module` sets `__signature__`, distrax's `__new__`
# takes `*args, **kwargs`), and as a method it keeps the defaults as written
# in the source (`jax.nn.relu`, not the repr of a function object).
autoclass_content = "class"
autodoc_class_signature = "separated"
autodoc_member_order = "bysource"
autodoc_preserve_defaults = True
autodoc_typehints_format = "short"
python_use_unqualified_type_names = True

# napoleon: Google style only. The `Attributes:` sections say the types in
# words; annotations would add private paths such as `jax.jaxlib._jax.Array`.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_attr_annotations = False

html_theme = "alabaster"
html_title = f"haiku_policies {release}"


def _drop_type_docstrings(app, what, name, obj, options, lines):
  """A constant (`STD_TRANSFORMS`) would show its type's docstring: drop it.

  Its description is the body of its `autodata` directive instead.
  """
  del app, name, options  # Unused.
  if what == "data" and obj.__doc__ == type(obj).__doc__:
    lines.clear()


def setup(app):
  app.connect("autodoc-process-docstring", _drop_type_docstrings)
