"""Waiting for a page's state without breaking its Content-Security-Policy."""

import time


def wait_until(page, expression: str, timeout: float = 15) -> None:
    """Wait until the JavaScript ``expression`` is true on ``page``.

    Not ``page.wait_for_function``: when its predicate is not true at once it
    polls through an in-page ``eval``, which the pages' Content-Security-Policy
    (no 'unsafe-eval') refuses. ``page.evaluate`` runs outside the page's CSP.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)
