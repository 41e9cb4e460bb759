"""requirements.lock pins every dependency of pyproject.toml exactly, with hashes (`make lock` regenerates it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent.parent


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from requirements.lock."""
    text = (ROOT / "requirements.lock").read_text().replace("\\\n", " ")
    out = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)(.*)$", line)
        if match:
            out[canonicalize_name(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", match[3]))
    return out


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + [dep for deps in project["optional-dependencies"].values() for dep in deps]
    return [Requirement(dep) for dep in names]


def test_every_declared_dependency_is_locked_at_a_version_it_allows_with_hashes():
    locked = _locked()
    problems = []
    for req in _declared():
        name = canonicalize_name(req.name)
        if name not in locked:
            problems.append(f"{req.name}: not in requirements.lock (run `make lock`)")
            continue
        version, hashes = locked[name]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: locked {version} does not satisfy {req.specifier} (run `make lock`)")
        if not hashes:
            problems.append(f"{req.name}: no hashes")
    assert problems == []


def test_every_locked_package_has_hashes():
    assert all(hashes for _version, hashes in _locked().values())
    assert len(_locked()) > 20  # the parser read the file, not an empty match
