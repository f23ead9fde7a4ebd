"""The officer's phone in the browser tests: its screen and its gestures."""

PHONE = {"width": 360, "height": 740}
#: the phone's queue of records waiting to be sent, as the page keeps it
OUTBOX = "JSON.parse(localStorage.getItem('policing.outbox.v1'))"


def choose_household(page, text: str, address: str):
    """Type ``text`` in the household typeahead and pick ``address``."""
    page.fill("[data-household-search]", text)
    page.click(f'[data-suggestions] li:has-text("{address}")')
