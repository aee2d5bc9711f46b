"""Fail unless pip-audit checked every installed dependency (but our own editable package) and
found no known vulnerability: a dependency it could not look up is a failure, not a pass."""

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
run = subprocess.run(
    [BIN / "pip-audit", "--skip-editable", "--progress-spinner", "off", "-f", "json"],
    capture_output=True,
    text=True,
    check=False,
)
try:
    report = json.loads(run.stdout)
except json.JSONDecodeError:
    sys.exit(f"pip-audit gave no report: {run.stderr.strip()}")
vulnerable = [d for d in report["dependencies"] if d.get("vulns")]
unchecked = [
    d for d in report["dependencies"] if d.get("skip_reason") and "editable" not in d["skip_reason"]
]
for dep in vulnerable:
    ids = ", ".join(v["id"] for v in dep["vulns"])
    print(f"VULNERABLE {dep['name']} {dep['version']}: {ids}")
for dep in unchecked:
    print(f"NOT CHECKED {dep['name']}: {dep['skip_reason']}")
checked = len(report["dependencies"]) - len(unchecked)
print(
    f"pip-audit: {checked} dependencies checked, {len(vulnerable)} vulnerable, "
    f"{len(unchecked)} not checked"
)
sys.exit(1 if vulnerable or unchecked else 0)
