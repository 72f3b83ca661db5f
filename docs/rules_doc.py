"""Build docs/rules.md: each charter rule, the functions that enforce it, the tests that prove it.

Nothing in docs/rules.md is typed by hand; it is read from three places:

* ``docs/rules.toml``: the rule IDs, their short titles and charter clauses (extracted
  once from the rule book), and, for the few rules no function cites, the enforcing
  functions as importable dotted names (``enforced_by``);
* the code of the apps (every top-level package but ``tests`` and ``bench``): a function
  or method cites a rule when its docstring, a comment in its body or the comment block
  just above it names the rule ID (``# Charter art. 3.4 (L2)``, ``(V9, V10)``, ``M3 to M6``,
  ``V9-V11``). A function of a ``services`` module (or package) enforces the rule; any
  other one (models, selectors, deadlines, admin, views) is listed as citing it;
* the tests: every test function or method marked ``@pytest.mark.rule("ID", ...)``
  (directly, on its class, or by a module's ``pytestmark``) proves the rule.

Only the source is read (``ast`` and ``tokenize``), nothing is imported, so the
generator runs without Django. ``tests/test_rules_doc.py`` checks that the file is up to
date, that every rule is enforced and proven, and imports every enforcing function.

Usage, from the repository root:

    python docs/rules_doc.py --write    # rewrite docs/rules.md
    python docs/rules_doc.py --check    # exit 1 when docs/rules.md is out of date
    python docs/rules_doc.py            # print it
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "docs" / "rules.toml"
DOC = ROOT / "docs" / "rules.md"
COMMAND = "python docs/rules_doc.py --write"
# The rule book, kept beside the repository in development: --check compares the IDs.
RULE_BOOK = ROOT.parent / "shared" / "RULES.md"
NOT_APPS = {"tests", "bench", "docs"}

# "V9-V11", "M3 to M6": a range of IDs of one letter.
RANGE = re.compile(r"(?<![\w/.-])([A-Z])(\d{1,2})(?:-| to )\1(\d{1,2})(?![\w/-])")
# "L2", "(V9, V10)", "X4:"; not "V1 R001" (a charter version's label), not "S3-bucket".
SINGLE = re.compile(r"(?<![\w/.-])([A-Z]\d{1,2})(?![\w/-]| R\d)")


@dataclass
class Rule:
    id: str
    title: str
    clause: str
    section: str
    declared: list[str] = field(default_factory=list)  # enforced_by of rules.toml
    why: str = ""
    enforced_by: list[str] = field(default_factory=list)
    cited_by: list[str] = field(default_factory=list)
    proven_by: list[str] = field(default_factory=list)


def load_rules(path: Path = DATA) -> list[Rule]:
    with path.open("rb") as data:
        rows = tomllib.load(data)["rule"]
    return [
        Rule(
            id=row["id"],
            title=row["title"],
            clause=row["clause"],
            section=row["section"],
            declared=list(row.get("enforced_by", [])),
            why=row.get("why", ""),
        )
        for row in rows
    ]


def rule_ids_in(text: str) -> set[str]:
    """The rule IDs a docstring or comment names, ranges expanded."""
    found = set()
    for letter, first, last in RANGE.findall(text):
        found.update(f"{letter}{n}" for n in range(int(first), int(last) + 1))
    found.update(SINGLE.findall(RANGE.sub(" ", text)))
    return found


def python_files(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        if "migrations" not in path.relative_to(folder).parts:
            yield path


def app_folders(root: Path) -> list[Path]:
    return [
        folder
        for folder in sorted(root.iterdir())
        if folder.is_dir()
        and folder.name not in NOT_APPS
        and not folder.name.startswith(".")
        and (folder / "__init__.py").exists()
    ]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _functions(tree: ast.Module):
    """(qualified name, node) of module-level functions and of methods, classes nested."""

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield prefix + child.name, child
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")

    yield from walk(tree, "")


def code_citations(root: Path = ROOT) -> dict[str, set[str]]:
    """Rule ID -> the dotted names of the functions citing it."""
    cited: dict[str, set[str]] = defaultdict(set)
    for folder in app_folders(root):
        for path in python_files(folder):
            source = path.read_text(encoding="utf-8")
            comments: dict[int, str] = {}
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                if token.type == tokenize.COMMENT:
                    comments[token.start[0]] = token.string
            module = module_name(path, root)
            for name, node in _functions(ast.parse(source)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = list(range(first, node.end_lineno + 1))
                above = first - 1  # the comment block right above, section rulers aside
                while above in comments and not comments[above].startswith("# ---"):
                    lines.append(above)
                    above -= 1
                text = " ".join(
                    [ast.get_docstring(node) or ""] + [comments.get(n, "") for n in lines]
                )
                for rule_id in rule_ids_in(text):
                    cited[rule_id].add(f"{module}.{name}")
    return cited


def is_service(dotted: str) -> bool:
    return "services" in dotted.split(".")[:-1]


def _rule_marks(node: ast.expr) -> list[str]:
    """The IDs of ``pytest.mark.rule(...)`` calls in a decorator or a pytestmark value."""
    ids = []
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "rule"
            and isinstance(call.func.value, ast.Attribute | ast.Name)
            and getattr(call.func.value, "attr", getattr(call.func.value, "id", "")) == "mark"
        ):
            ids += [a.value for a in call.args if isinstance(a, ast.Constant)]
    return ids


def _pytestmark(body) -> list[str]:
    ids = []
    for statement in body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in statement.targets
        ):
            ids += _rule_marks(statement.value)
    return ids


def rule_proofs(root: Path = ROOT) -> dict[str, set[str]]:
    """Rule ID -> the pytest node ids (``tests/x.py::test_y``) of the tests marked with it."""
    proven: dict[str, set[str]] = defaultdict(set)

    def walk(body, prefix, inherited):
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                marks = inherited + _pytestmark(node.body)
                marks += [i for d in node.decorator_list for i in _rule_marks(d)]
                walk(node.body, f"{prefix}{node.name}::", marks)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                marks = inherited + [i for d in node.decorator_list for i in _rule_marks(d)]
                for rule_id in marks:
                    proven[rule_id].add(prefix + node.name)

    for path in python_files(root / "tests"):
        if not path.name.startswith("test"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        node_id = path.relative_to(root).as_posix() + "::"
        walk(tree.body, node_id, _pytestmark(tree.body))
    return proven


def collect(root: Path = ROOT, data: Path = DATA) -> list[Rule]:
    rules = load_rules(data)
    cited = code_citations(root)
    proven = rule_proofs(root)
    for rule in rules:
        names = cited.get(rule.id, set())
        rule.enforced_by = sorted({n for n in names if is_service(n)} | set(rule.declared))
        rule.cited_by = sorted(names - set(rule.enforced_by))
        rule.proven_by = sorted(proven.get(rule.id, set()))
    return rules


def unknown_ids(root: Path = ROOT, data: Path = DATA) -> list[str]:
    """IDs that tests mark but the rule book does not define."""
    known = {rule.id for rule in load_rules(data)}
    return sorted(set(rule_proofs(root)) - known)


def _code(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) if names else "—"


def render(rules: list[Rule]) -> str:
    enforced = sum(1 for rule in rules if rule.enforced_by)
    proven = sum(1 for rule in rules if rule.proven_by)
    lines = [
        "# Règles de la charte : où le code les applique, où les tests les prouvent",
        "",
        f"<!-- Produit par `{COMMAND}` : ne pas modifier à la main. -->",
        "",
        "Chaque règle du livre des règles (`RULES.md`, identifiants S1, M4, V6…), avec son",
        "titre court et la clause de la charte d'où elle vient (`docs/rules.toml`), les",
        "fonctions qui l'appliquent et les tests qui la prouvent. Ce fichier est produit par",
        f"`{COMMAND}` depuis :",
        "",
        "- **appliquée par** : les fonctions d'un module `services` dont la docstring ou un",
        "  commentaire cite l'identifiant (`# Charter art. 3.4 (L2)`), plus celles que",
        "  `docs/rules.toml` déclare (`enforced_by`) pour les règles qu'aucune fonction ne",
        "  cite ; **citée aussi par** : les autres fonctions qui la citent (modèles,",
        "  sélecteurs, échéances, administration, vues) ;",
        '- **prouvée par** : les tests marqués `@pytest.mark.rule("ID")`.',
        "",
        "Les fonctions sont nommées par leur chemin d'import (`module.fonction`), jamais par",
        "un chemin de fichier. `tests/test_rules_doc.py` échoue quand ce fichier ne",
        f"correspond plus au code (un déplacement, un renommage : relancer `{COMMAND}`),",
        "quand une règle n'est appliquée ou prouvée nulle part, et quand une fonction",
        "déclarée dans `docs/rules.toml` ne s'importe plus.",
        "",
        f"{len(rules)} règles ; {enforced} appliquées par au moins une fonction ; "
        f"{proven} prouvées par au moins un test.",
        "",
        "| règle | titre | clause | fonctions | tests |",
        "|---|---|---|--:|--:|",
    ]
    lines += [
        f"| [{r.id}](#{r.id.lower()}) | {r.title} | {r.clause} "
        f"| {len(r.enforced_by)} | {len(r.proven_by)} |"
        for r in rules
    ]
    section = None
    for rule in rules:
        if rule.section != section:
            section = rule.section
            lines += ["", f"## {section}"]
        lines += [
            "",
            f'<a id="{rule.id.lower()}"></a>',
            "",
            f"### {rule.id} · {rule.title}",
            "",
            f"Clause : {rule.clause}.",
            "",
            f"- Appliquée par : {_code(rule.enforced_by)}" + (f" ({rule.why})" if rule.why else ""),
        ]
        if rule.cited_by:
            lines.append(f"- Citée aussi par : {_code(rule.cited_by)}")
        lines.append("- Prouvée par :" + ("" if rule.proven_by else " —"))
        lines += [f"  - `{test}`" for test in rule.proven_by]
    return "\n".join(lines) + "\n"


def build(root: Path = ROOT, data: Path = DATA) -> str:
    return render(collect(root, data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="rewrite docs/rules.md")
    group.add_argument("--check", action="store_true", help="exit 1 when it is out of date")
    args = parser.parse_args()
    text = build()
    if args.write:
        DOC.write_text(text, encoding="utf-8")
        print(f"{DOC.relative_to(ROOT)} written")
    elif args.check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        if RULE_BOOK.exists():  # the rule book kept beside the repository, in development
            book = re.findall(r"^- \*\*([A-Z]\d+)\*\*", RULE_BOOK.read_text(encoding="utf-8"), re.M)
            ids = [rule.id for rule in load_rules(DATA)]
            if ids != book:
                print(f"{DATA.relative_to(ROOT)} differs from {RULE_BOOK}", file=sys.stderr)
                return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
