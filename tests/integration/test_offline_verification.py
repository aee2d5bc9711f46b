"""An outside system takes a bundle and the published keys and verifies with registry.ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from registry.cli import main
from registry.store.application import Registry
from tests.integration.helpers import (
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)
from tests.integration.test_transfer import env_of

REPO = Path(__file__).resolve().parents[2]

# The README's worked example, run as a separate program that may import nothing heavy.
VERIFIER = """
import json, sys
from pathlib import Path
from registry.ledger.bundle import load_anchors, verify_bundle

anchors, log_verifier = load_anchors(Path(sys.argv[2]))
report = verify_bundle(json.loads(Path(sys.argv[1]).read_text()), anchors, log_verifier)
heavy = sorted(m for m in ("eventsourcing", "sqlalchemy", "flask", "marshmallow")
               if m in sys.modules)
print(json.dumps({"ok": report.ok, "problems": report.problems, "heavy": heavy,
                  "size": report.checkpoint.size if report.checkpoint else None,
                  "versions": report.agreements}))
"""


def prove(registry: Registry, ref: str, path: Path) -> None:
    result = CliRunner().invoke(
        main, ["prove", ref, "-o", str(path)], env=env_of(registry.settings)
    )
    assert result.exit_code == 0, result.output


def verify_elsewhere(bundle: Path, keys: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", VERIFIER, str(bundle), str(keys)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_a_proved_bundle_verifies_with_the_published_keys_and_no_database(
    sqlite_settings, tmp_path: Path
):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        recorded = draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, "PK-KZ-2026-900")
        bundle = tmp_path / "bundle.json"
        prove(registry, "PK-KZ-2026-900", bundle)
        size = registry.checkpoint().size

    outcome = verify_elsewhere(bundle, sqlite_settings.keys_dir)

    assert outcome == {
        "ok": True,
        "problems": [],
        "heavy": [],
        "size": size,
        "versions": {str(recorded.agreement_id): [1, 2, 3, 4]},
    }


def test_an_edited_bundle_fails_offline_and_says_where(sqlite_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, "PK-KZ-2026-900")
        bundle = tmp_path / "bundle.json"
        prove(registry, "PK-KZ-2026-900", bundle)
    document = json.loads(bundle.read_text())
    document["events"][1]["index"] += 1
    bundle.write_text(json.dumps(document))

    outcome = verify_elsewhere(bundle, sqlite_settings.keys_dir)

    assert outcome["ok"] is False
    assert any("inclusion" in problem for problem in outcome["problems"])

    result = CliRunner().invoke(
        main, ["verify-bundle", str(bundle), "--keys", str(sqlite_settings.keys_dir)]
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output
