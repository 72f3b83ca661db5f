"""docs/rules.md follows the code: each rule enforced by importable functions, proven by tests.

The generator (docs/rules_doc.py) reads docs/rules.toml, the rule ID citations of the
apps' functions and the tests' ``@pytest.mark.rule`` markers; these tests rebuild the
document in memory and compare it with the committed one.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("rules_doc", ROOT / "docs" / "rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


rules_doc = _generator()


@pytest.fixture(scope="module")
def rules():
    return rules_doc.collect()


def test_docs_rules_md_is_up_to_date(rules):
    committed = rules_doc.DOC.read_text(encoding="utf-8")
    assert committed == rules_doc.render(rules), (
        f"docs/rules.md no longer matches the code: run `{rules_doc.COMMAND}`"
    )


def test_every_rule_is_enforced_by_a_function_and_proven_by_a_test(rules):
    unenforced = [rule.id for rule in rules if not rule.enforced_by]
    unproven = [rule.id for rule in rules if not rule.proven_by]
    assert (unenforced, unproven) == ([], []), (
        f"enforced nowhere: {unenforced} (cite the ID in the service that enforces it, or "
        f"name it in docs/rules.toml as enforced_by); proven by no test: {unproven} "
        '(mark the test that proves it with @pytest.mark.rule("ID"))'
    )


def _resolve(dotted: str):
    """The object at ``module.attribute[.attribute]``, the longest importable module first."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            target = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue
            raise
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


def test_every_enforcing_function_imports(rules):
    broken = []
    for rule in rules:
        for dotted in rule.enforced_by:
            try:
                target = _resolve(dotted)
            except (ImportError, AttributeError) as error:
                broken.append(f"{rule.id} {dotted}: {error}")
                continue
            if not callable(target):
                broken.append(f"{rule.id} {dotted}: not a function")
    assert broken == [], (
        "moved or renamed: update enforced_by in docs/rules.toml for a declared function, "
        f"then run `{rules_doc.COMMAND}`:\n" + "\n".join(broken)
    )


def test_the_tests_mark_only_rules_of_the_rule_book():
    assert rules_doc.unknown_ids() == []


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Charter art. 3.4 (L2): immediate.", {"L2"}),
        ("(V9, V10) and X4: the plenary", {"V9", "V10", "X4"}),
        ("M3 to M6", {"M3", "M4", "M5", "M6"}),
        ("the election (V9-V11)", {"V9", "V10", "V11"}),
        ("V1 R001's values", set()),
        ("core/S3-bucket, V1R001, X12b", set()),
    ],
)
def test_the_citations_the_generator_reads(text, ids):
    assert rules_doc.rule_ids_in(text) == ids
