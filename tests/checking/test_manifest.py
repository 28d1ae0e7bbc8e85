from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fixtures.exercise_course import FIXTURE_ROOT, copy_course

from perflab.checking.engine import Check
from perflab.checking.manifest import ManifestError, UnknownExercise, course_root, load_checks, load_manifest

ENTRY = """
[[exercise]]
id = "demo"
chapter = "01_demo"
title = "A demo"
task = "Write double(x)."
stub = "exercises/01_demo/demo.py"
solution = "solutions/01_demo/demo.py"
checks = "fixture_checks.double"
names = ["double"]
points = 1
hints = ["one"]
answers = "tests/answers/demo"
"""


def _manifest(tmp_path: Path, text: str) -> Path:
    (tmp_path / "exercises").mkdir(exist_ok=True)
    (tmp_path / "exercises" / "manifest.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_fixture_manifest_loads_in_order() -> None:
    manifest = load_manifest(FIXTURE_ROOT)
    assert manifest.ids == ["double", "shout"]
    double = manifest["double"]
    assert double.names == ("double",) and double.points == 2 and len(double.hints) == 2
    assert manifest.root == FIXTURE_ROOT
    with pytest.raises(dataclasses.FrozenInstanceError):
        double.points = 5  # type: ignore[misc]


def test_an_unknown_id_lists_the_known_ones() -> None:
    with pytest.raises(UnknownExercise) as info:
        load_manifest(FIXTURE_ROOT)["tripple"]
    assert '"tripple"' in str(info.value) and "double, shout" in str(info.value)


def test_a_missing_manifest_names_its_path(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="manifest.toml"):
        load_manifest(tmp_path)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="not valid TOML"):
        load_manifest(_manifest(tmp_path, "[[exercise]\nid = "))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("points = 1", "points = 0"), "`points`"),
        (("points = 1", 'points = "three"'), "`points`"),
        (('id = "demo"', 'id = "Demo Id"'), "`id`"),
        (('names = ["double"]', 'names = ["not a name"]'), "`names`"),
        (('names = ["double"]', "names = []"), "`names`"),
        (('hints = ["one"]', "hints = [1]"), "`hints`"),
        (('title = "A demo"', 'title = ""'), "`title`"),
        (('title = "A demo"', 'titel = "A demo"'), "unknown fields: titel; missing fields: title"),
    ],
)
def test_a_bad_field_names_the_entry_and_the_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ManifestError) as info:
        load_manifest(_manifest(tmp_path, ENTRY.replace(*change)))
    assert message in str(info.value) and "exercise #1" in str(info.value)


def test_a_duplicate_id_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="used twice"):
        load_manifest(_manifest(tmp_path, ENTRY + ENTRY))


def test_only_exercise_tables_belong_in_the_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"\[\[exercise\]\]"):
        load_manifest(_manifest(tmp_path, 'title = "x"\n' + ENTRY))


def test_checks_load_from_a_module_inside_the_course_root() -> None:
    manifest = load_manifest(FIXTURE_ROOT)
    checks = load_checks(manifest["double"], manifest.root)
    assert [c.title for c in checks] == ["`double` is an async function", "`double` doubles numbers"]
    assert all(isinstance(c, Check) for c in checks)


def test_a_checks_module_without_checks_is_an_error(tmp_path: Path) -> None:
    root = _manifest(tmp_path, ENTRY.replace("fixture_checks.double", "empty_checks"))
    (root / "empty_checks.py").write_text("CHECKS = []\n", encoding="utf-8")
    manifest = load_manifest(root)
    with pytest.raises(ManifestError, match="CHECKS"):
        load_checks(manifest["demo"], root)
    missing = dataclasses.replace(manifest["demo"], checks="no_such_checks.module")
    with pytest.raises(ManifestError, match="cannot be found"):
        load_checks(missing, root)


def test_course_root_follows_perflab_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> None:
    monkeypatch.delenv("PERFLAB_ROOT", raising=False)
    assert course_root() == repo_root
    monkeypatch.setenv("PERFLAB_ROOT", str(copy_course(tmp_path)))
    assert load_manifest().root == (tmp_path / "course").resolve()


def test_two_courses_with_the_same_checks_name_keep_their_own_checks(tmp_path: Path) -> None:
    from perflab.checking.manifest import _import

    for name in ("one", "two"):
        folder = tmp_path / name / "same_checks"
        folder.mkdir(parents=True)
        (folder / "ex.py").write_text(f"WHO = {name!r}\n", encoding="utf-8")
    assert _import("same_checks.ex", tmp_path / "one").WHO == "one"
    assert _import("same_checks.ex", tmp_path / "two").WHO == "two"
