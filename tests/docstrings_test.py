"""Runs every `>>>` example in the package, and checks public classes have one.

Examples run with their module's globals, like `python -m doctest`; each
module is one test case.
"""

import doctest
import importlib
import inspect
import pkgutil

from absl.testing import absltest
from absl.testing import parameterized

import haiku_policies

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(
        haiku_policies.__path__, "haiku_policies."
    )
)
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _public_classes(module):
  """Classes defined in `module` that it or the package exports."""
  names = set(getattr(module, "__all__", ())) | set(haiku_policies.__all__)
  for name in sorted(names):
    obj = getattr(module, name, None)
    if inspect.isclass(obj) and obj.__module__ == module.__name__:
      yield name, obj


class DocstringsTest(parameterized.TestCase):

  def test_package_has_modules_and_examples(self):
    self.assertGreater(len(MODULES), 5)
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
    )
    self.assertGreater(examples, 20)

  @parameterized.named_parameters(*[(name, name) for name in MODULES])
  def test_examples_run(self, module_name):
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    for test in doctest.DocTestFinder().find(module):
      runner.run(test, out=lambda s: self.fail(f"{module_name}:\n{s}"))
    self.assertEqual(runner.failures, 0)

  @parameterized.named_parameters(*[(name, name) for name in MODULES])
  def test_public_classes_have_an_example(self, module_name):
    module = importlib.import_module(module_name)
    for name, cls in _public_classes(module):
      self.assertIn(">>>", cls.__doc__ or "", msg=f"{module_name}.{name}")


if __name__ == "__main__":
  absltest.main()
