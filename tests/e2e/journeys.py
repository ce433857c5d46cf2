"""Steps of the journeys that several test modules take, written as a person does them."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .ui import WAIT_MS, choose, choose_first, find_customer, go_to, main, settle

CATEGORY = "Aggressive or abusive behaviour"


def fill_incident(
    page: Page,
    customer: str,
    *,
    narrative: str,
    severity: str = "Serious",
    channel: str = "Telephone",
) -> None:
    """On "Log an incident": choose the customer and fill the form (not saved yet)."""
    go_to(page, "Log an incident")
    find_customer(page, customer)
    choose(page, "Kind of behaviour (§3) *", CATEGORY)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Save incident")
    choose(page, "How was the customer in contact? *", channel, scope=form)
    choose_first(page, "What the customer did: the example from §3 that fits best *", scope=form)
    choose(page, "Severity *", severity, scope=form)
    form.get_by_label("What happened *", exact=True).fill(narrative)
    settle(page)


def save_incident(page: Page) -> None:
    page.get_by_role("button", name="Save incident").click()
    expect(main(page).get_by_text("Incident logged for")).to_be_visible(timeout=WAIT_MS)
    settle(page)
