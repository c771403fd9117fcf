"""The API reference in `docs/` documents every public name exactly once.

Sphinx builds the reference (in `.ci/run`, warnings as errors); this test reads
only its sources, so it needs no Sphinx. It finds the autodoc directives that
document one object (`autoclass`, `autofunction`, `autodata`, ...) in
`docs/**/*.rst`, resolves each name against the `currentmodule` (or `module`,
`automodule`) in force, as autodoc does, and compares the result with
`haiku_policies.__all__`.
"""

import collections
import inspect
import pathlib
import re

from absl.testing import absltest

import haiku_policies

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
# Directives that document one object, and those that set the module that
# resolves a bare name.
OBJECT_DIRECTIVES = ("autoclass", "autodata", "autodecorator", "autoexception",
                     "autofunction")
MODULE_DIRECTIVES = ("automodule", "currentmodule", "module")
_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:py:)?(\w+)::\s*(\S+)\s*$")


def documented_names(rst: str) -> list[str]:
  """Fully qualified names of the objects `rst` documents, in order.

  Args:
    rst: the text of one reStructuredText file.

  Returns:
    One entry per object directive: a dotted name as written (autodoc reads it
    as absolute), a bare name prefixed with the module in force.
  """
  names = []
  module = None
  for line in rst.splitlines():
    match = _DIRECTIVE.match(line)
    if match is None:
      continue
    directive, target = match.groups()
    if directive in MODULE_DIRECTIVES:
      module = target
    elif directive in OBJECT_DIRECTIVES:
      if "." in target or module is None:
        names.append(target)
      else:
        names.append(f"{module}.{target}")
  return names


def _documented_in_docs() -> collections.Counter[str]:
  sources = [
      path for path in sorted(DOCS.rglob("*.rst"))
      if "_build" not in path.relative_to(DOCS).parts
  ]
  counts: collections.Counter[str] = collections.Counter()
  for path in sources:
    counts.update(documented_names(path.read_text(encoding="utf-8")))
  return counts


class DocsTest(absltest.TestCase):

  def test_documented_names_resolves_modules_like_autodoc(self):
    rst = "\n".join([
        ".. autoclass:: pkg.Absolute",
        ".. automodule:: pkg.sub",
        ".. autofunction:: in_sub",
        ".. currentmodule:: pkg",
        ".. autoclass:: Bare",
        "   :members:",
        ".. autodata:: pkg.other.CONSTANT",
        ".. py:currentmodule:: pkg.sub",
        "   .. autoexception:: Error",
        "Text that mentions .. autoclass:: Nothing inline.",
    ])
    self.assertEqual(
        documented_names(rst),
        [
            "pkg.Absolute", "pkg.sub.in_sub", "pkg.Bare", "pkg.other.CONSTANT",
            "pkg.sub.Error"
        ],
    )

  def test_every_public_name_is_documented_exactly_once(self):
    counts = _documented_in_docs()
    for name in haiku_policies.__all__:
      qualified_name = f"haiku_policies.{name}"
      self.assertEqual(
          counts[qualified_name],
          1,
          msg=(f"{qualified_name} is documented {counts[qualified_name]} "
               f"times in {DOCS}; add one autodoc directive for it (e.g. "
               f"`.. autoclass:: {name}` under "
               "`.. currentmodule:: haiku_policies`) or remove the extra."),
      )

  def test_every_public_class_and_function_has_an_example(self):
    # `docstrings_test` runs the examples; here they must exist, for the page.
    for name in haiku_policies.__all__:
      obj = getattr(haiku_policies, name)
      if inspect.isclass(obj) or inspect.isfunction(obj):
        self.assertIn(
            ">>>",
            inspect.getdoc(obj) or "",
            msg=f"haiku_policies.{name}: no `>>>` example in its docstring",
        )

  def test_only_public_names_are_documented(self):
    public = {f"haiku_policies.{name}" for name in haiku_policies.__all__}
    extra = sorted(set(_documented_in_docs()) - public)
    self.assertEqual(
        extra,
        [],
        msg=("documented, but not a name of haiku_policies.__all__ (document "
             "each public object once, as `haiku_policies.<name>`)"),
    )


if __name__ == "__main__":
  absltest.main()
