from pathlib import Path

from streamlit.testing.v1 import AppTest

# AppTest resolves a relative path against the calling file, not the working directory.
APP = Path(__file__).resolve().parents[2] / "app.py"


def test_landing_page_runs_and_names_ube() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()

    assert not at.exception
    assert at.title[0].value == "UBE"
    assert any("Unacceptable Behaviour" in md.value for md in at.markdown)
