"""The report as a browser shows and prints it (skipped where Debian's chromium is absent)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from e2e_env import BLSU, blsu_env

from blsu_core.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from report_browser import CHROMIUM, problems, rendered_dom

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


@pytest.fixture(scope="module")
def reports(main_job) -> dict[str, Path]:
    """The Dutch report of the main job and an English one of the same warehouse."""
    tmp, proc = main_job
    assert proc.returncode == 0, proc.stderr[-5000:]
    english = tmp / "results_en"
    done = subprocess.run([BLSU, "stats", "--lang", "en", "--results", str(english), "--quiet",
                           "--db", str(tmp / "blsu.duckdb")], env=blsu_env(tmp), cwd=tmp,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"nl": tmp / "results" / "report.html", "en": english / "report.html"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_image_loads_and_nothing_overflows_the_page(reports, lang: str) -> None:
    html = reports[lang]
    # figures A1-A3 and the trajectory groups in the offender-profiles section
    assert html.read_text(encoding="utf-8").count("<img ") == 4
    assert problems(html) == []


def test_the_docs_site_opens_offline_on_the_report_exposure_and_its_marts(main_job) -> None:
    tmp, _ = main_job
    out = tmp / "docs" / "site.html"
    made = subprocess.run([BLSU, "docs", "-o", str(out)], env=blsu_env(tmp), cwd=tmp,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-3000:]
    dom = rendered_dom(out.as_uri() + "#!/exposure/exposure.blsu.reproduction_report")
    assert "Reproduction report (results/report.html)" in dom
    for mart in ("fct_study_persons", "fct_offender_careers", "dq_findings", "dim_raw_files"):
        assert f'href="#!/model/model.blsu.{mart}">{mart}</a>' in dom, mart
