"""STACK-NOTES §0: before anyone signs in, every page URL of a freshly started server shows
only the sign-in prompt — never a page, never a customer's data.

Streamlit treats ``pages/`` beside ``app.py`` as a legacy multipage app until
``st.navigation`` has run once in the server process, so on a fresh server ``/<page>`` runs
the page file directly, without ``app.py``. The page's first statement, the guard, is all
that stands between that URL and the data; this test proves it holds in a real browser.
The page URLs are visited before ``/`` so that ``app.py`` has not run yet.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ube_ui.navigation import PAGES

from .conftest import NewContext, Serve, copy_db
from .ui import assert_no_trace, goto, main, shot

GUARD_PROMPT = "Please sign in to use UBE."
SIGN_IN_FORM = "Sign in to UBE"


def page_paths() -> list[str]:
    """Every page's URL as Streamlit derives it from the file name (pages/x.py → /x)."""
    return [f"/{Path(spec.path).stem}" for spec in PAGES]


def secrets_in(db: Path) -> list[str]:
    """Strings that would show the data leaked: tenancy refs, customer and staff names."""
    engine = create_engine(f"sqlite:///{db}", poolclass=NullPool)
    with engine.connect() as conn:
        values = [
            *conn.execute(text("SELECT tenancy_ref FROM customer")).scalars(),
            *conn.execute(text("SELECT name FROM customer")).scalars(),
            *conn.execute(text("SELECT username FROM app_user")).scalars(),
            *conn.execute(text("SELECT name FROM app_user")).scalars(),
        ]
    engine.dispose()
    return sorted({v for v in values if v})


def test_every_page_url_on_a_fresh_server_shows_only_the_sign_in_prompt(
    serve: Serve,
    new_context: NewContext,
    demo_db: Path,
    tmp_path: Path,
) -> None:
    db_url = copy_db(demo_db, tmp_path / "db")
    secrets = secrets_in(tmp_path / "db" / "ube.db")
    assert len(secrets) > 100, "the demo data set should hold customers and staff"
    server = serve("first-visit", db_url)
    page = new_context().new_page()
    seen: dict[str, str] = {}
    for path in [*page_paths(), "/"]:
        goto(page, server, path)
        assert_no_trace(page)
        content = main(page).inner_text().strip()
        body = page.locator("body").inner_text()
        seen[path] = content
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{path} shows data before sign-in: {leaked[:5]}"
        if path == "/":
            assert SIGN_IN_FORM in content, f"/ shows {content!r}"
        else:
            # The guard's prompt and its link, nothing else from the page.
            lines = [line.strip() for line in content.splitlines() if line.strip()]
            assert lines == [GUARD_PROMPT, "Go to sign in"], f"{path} shows {lines!r}"
        shot(page, f"first-visit{path.replace('/', '_') or '_root'}")
    # After app.py has run once, page URLs route through st.navigation: still the sign-in form.
    for path in ("/users", "/customer", "/dashboard", "/audit"):
        goto(page, server, path)
        assert_no_trace(page)
        body = page.locator("body").inner_text()
        assert not [s for s in secrets if s in body], f"{path} leaks after / was opened"
        assert SIGN_IN_FORM in main(page).inner_text(), f"{path}: no sign-in form"
