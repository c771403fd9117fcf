"""Runs every `>>>` example in the package, and checks public classes have one.

Examples run with their module's globals, like `python -m doctest`; each
module is one test case. "Has one" means `doctest` collects it from the
class's own docstring in a module that `test_examples_run` runs, for every
class in `haiku_policies.__all__` or a module's `__all__`.
"""

import doctest
import importlib
import inspect
import pkgutil

from absl.testing import absltest
from absl.testing import parameterized

import haiku_policies

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(haiku_policies.__path__,
                                                "haiku_policies."))
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _public_class_names():
  """Classes the package or a module exports, named where they are defined.

  `doctest` names a class's test `module.Class` after its defining module.
  """
  names = set()
  for module in [haiku_policies
                ] + [importlib.import_module(name) for name in MODULES]:
    for name in getattr(module, "__all__", ()):
      obj = getattr(module, name)
      if inspect.isclass(obj):
        names.add(f"{obj.__module__}.{obj.__qualname__}")
  return names


def _collected_examples():
  """`{test name: number of examples}` of what `test_examples_run` runs."""
  finder = doctest.DocTestFinder()
  return {
      test.name: len(test.examples) for name in MODULES
      for test in finder.find(importlib.import_module(name))
  }


class DocstringsTest(parameterized.TestCase):

  @parameterized.named_parameters(*[(name, name) for name in MODULES])
  def test_examples_run(self, module_name):
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    for test in doctest.DocTestFinder().find(module):
      runner.run(test, out=lambda s: self.fail(f"{module_name}:\n{s}"))
    self.assertEqual(runner.failures, 0)

  def test_every_public_class_has_a_collected_example(self):
    collected = _collected_examples()
    for qualified_name in sorted(_public_class_names()):
      self.assertGreater(
          collected.get(qualified_name, 0),
          0,
          msg=f"{qualified_name}: no `>>>` example collected by doctest",
      )


if __name__ == "__main__":
  absltest.main()
