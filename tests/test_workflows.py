"""The GitHub workflows in .github/: valid, safe, and in step with the README.

- check-jsonschema validates both workflow files against GitHub's workflow schema, which ships with
  the package (no download);
- zizmor audits .github/ offline, with the policy in .github/zizmor.yml, and may find nothing of
  high severity;
- test.yml runs the README's install command and the README's test command, word for word, so the
  two cannot drift apart.

Both tools come from requirements.txt. Each test takes about a second; nothing goes online (the
tools run behind a proxy that does not exist, so an attempt to reach the network fails).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = [GITHUB / "workflows" / "test.yml", GITHUB / "workflows" / "pages.yml"]
OFFLINE = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}


def tool(name: str) -> str:
    """The command-line tool `name` of this interpreter's environment (or else on PATH)."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        for candidate in (Path(folder) / name, Path(folder) / f"{name}.exe"):
            if candidate.is_file():
                return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -r requirements.txt")
    return found


def run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **OFFLINE})


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def commands(script: str) -> list[str]:
    """The simple commands of a run: script, in order (split at newlines, &&, || and ;)."""
    found = []
    for line in script.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found += [part.strip() for part in re.split(r"&&|\|\||;", line) if part.strip()]
    return found


def readme_commands() -> tuple[list[str], str]:
    """The README's install commands (up to its `pip install`) and its test command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Two commands\n(.*?)^## ", text, re.M | re.S)
    assert section, "README.md has no '## Two commands' section"
    blocks = re.findall(r"```bash\n(.*?)```", section.group(1), re.S)
    assert len(blocks) >= 2, "README's '## Two commands' should hold two ```bash blocks"
    first = commands(blocks[0])
    pips = [i for i, cmd in enumerate(first) if cmd.startswith("pip install")]
    assert pips, f"no pip install in the README's first command: {blocks[0]!r}"
    install = first[: pips[-1] + 1]
    test = blocks[1].strip()
    assert "\n" not in test, f"README's test command should be one line: {test!r}"
    return install, test


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(path):
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path))
    assert result.returncode == 0, f"{path.name} fails GitHub's workflow schema:\n{result.stdout}{result.stderr}"


def describe(finding: dict) -> str:
    """One zizmor finding (JSON format v1) in a few readable lines."""
    determinations = finding.get("determinations", {})
    lines = [f"  {determinations.get('severity', '?')} {finding.get('ident')}: {finding.get('desc')}"]
    for loc in finding.get("locations", []):
        key = loc.get("symbolic", {}).get("key", {})
        local = key.get("Local", {}) if isinstance(key, dict) else {}
        path = local.get("given_path") or local.get("verbatim_path") or key
        row = loc.get("concrete", {}).get("location", {}).get("start_point", {}).get("row")
        line = "?" if row is None else row + 1
        lines.append(f"      {path}, line {line}: {loc.get('symbolic', {}).get('annotation', '')}")
    return "\n".join(lines)


def test_zizmor_finds_nothing_of_high_severity():
    result = run(tool("zizmor"), "--offline", "--strict-collection", "--format", "json",
                 "--config", str(GITHUB / "zizmor.yml"), str(GITHUB))
    # 0: no findings; 11-14: findings, the highest informational, low, medium or high.
    assert result.returncode in (0, 11, 12, 13, 14), f"zizmor failed ({result.returncode}):\n{result.stderr}"
    findings = json.loads(result.stdout)
    summary = "\n".join(describe(finding) for finding in findings)
    high = [f for f in findings if f["determinations"]["severity"].lower() == "high"]
    assert not high, f"zizmor found {len(high)} high-severity problem(s) in .github/:\n{summary}"


def test_ci_runs_the_readmes_install_and_test_commands():
    install, test = readme_commands()
    workflow = load(GITHUB / "workflows" / "test.yml")
    runs = [commands(step["run"]) for step in steps(workflow) if "run" in step]
    flat = [cmd for cmds in runs for cmd in cmds]

    # The install commands, in the README's order, within one step (the venv's activation holds
    # only inside the step that made it).
    def contains(seq, sub):
        return any(seq[i:i + len(sub)] == sub for i in range(len(seq) - len(sub) + 1))
    where = [i for i, cmds in enumerate(runs) if contains(cmds, install)]
    assert where, (f"test.yml does not run the README's install commands {install}; "
                   f"its run: lines hold {flat}")
    # No other pip install sneaks in (the CPU wheel index comes from PIP_EXTRA_INDEX_URL instead).
    others = [cmd for cmd in flat if cmd.startswith("pip install") and cmd not in install]
    assert not others, f"test.yml installs with other commands than the README's {install}: {others}"

    # The test command: a step that runs exactly the README's command, after the install.
    tests = [i for i, cmds in enumerate(runs) if cmds == [test]]
    assert tests, f"no step of test.yml runs exactly the README's test command {test!r}; run: lines: {runs}"
    assert tests[-1] > where[0], "test.yml runs the tests before installing"


def test_ci_python_is_one_the_package_supports():
    from packaging.specifiers import SpecifierSet

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = re.search(r'^requires-python\s*=\s*"([^"]+)"', pyproject, re.M).group(1)
    for path in WORKFLOWS:
        for step in steps(load(path)):
            if step.get("uses", "").startswith("actions/setup-python@"):
                version = str(step["with"]["python-version"])
                assert version in SpecifierSet(requires), f"{path.name}: Python {version} vs {requires}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_hygiene(path):
    """Least privilege and no template injection, checked directly (zizmor rates some as medium)."""
    workflow = load(path)
    assert "permissions" in workflow, f"{path.name}: set top-level permissions ({{}} or contents: read)"
    assert workflow["permissions"] in ({}, {"contents": "read"}), f"{path.name}: top-level permissions too wide"
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, \
                f"{path.name}: actions/checkout without persist-credentials: false"
        # Expressions in a script are pasted into it before the shell runs: pass values through
        # env: instead.
        assert "${{" not in step.get("run", ""), f"{path.name}: expression in a run: script: {step['run']!r}"
