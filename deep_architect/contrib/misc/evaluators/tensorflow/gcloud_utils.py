"""Small Google Cloud helpers (``gsutil`` / ``gcloud`` command-line tools).

Used by cloud set-ups that keep evaluation scratch folders in a GCS bucket.
The tools must be installed and authenticated; the ``get_gcloud_*`` queries
return ``''`` when they are not.
"""
from __future__ import annotations

import random
import subprocess


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def get_empty_bucket_folder(folder: str) -> str:
    """Returns ``<folder>/eval<N>`` for a random ``N`` such that nothing exists there yet.

    Args:
        folder: A ``gs://bucket/path`` prefix.
    """
    while True:
        candidate = "%s/eval%d" % (folder.rstrip("/"), random.randint(0, 10 ** 9))
        # `gsutil -q stat` exits non-zero when no object matches.
        if _run(["gsutil", "-q", "stat", candidate + "/*"]).returncode != 0:
            return candidate


def delete_bucket_folder(folder: str) -> None:
    """Deletes every object under ``folder`` (``gsutil -m rm -r``); missing folders are fine."""
    _run(["gsutil", "-m", "rm", "-r", folder])


def _gcloud_config_value(key: str) -> str:
    try:
        result = _run(["gcloud", "config", "get-value", key])
    except OSError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def get_gcloud_project() -> str:
    """The active gcloud project, or ``''`` when gcloud is missing or unconfigured."""
    return _gcloud_config_value("project")


def get_gcloud_zone() -> str:
    """The default gcloud compute zone, or ``''`` when gcloud is missing or unconfigured."""
    return _gcloud_config_value("compute/zone")
