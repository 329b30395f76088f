"""A zoo of targets for testing the conformance suite: one correct, many broken.

* :func:`create_app` - the correct reference implementation (a WSGI app with a seeded,
  resettable in-memory state; ``POST /__reset`` restores it);
* :data:`BREAKS` - deliberate violations, each with the rule ids a correct suite reports;
  :data:`VALID_VARIATIONS` - differences a correct suite must accept;
* :data:`HOSTILE` - raw-socket targets that hang, drip, flood, bomb or break the protocol;
* :func:`serve_reference`, :func:`serve_wsgi`, :func:`serve_hostile` - run any of them on
  127.0.0.1 for the length of a ``with`` block;
* :func:`raw_request` - a bounded raw-socket client to look at what a target sends.

Typical use in a suite test::

    with serve_reference(breaks=frozenset({"json-casing"})) as base_url:
        report = run_suite(base_url, reset=f"POST {base_url}{RESET_PATH}")
    assert report.failed_rules == BREAKS["json-casing"].expected_rules

Expectations assume a run with ``--reset 'POST /__reset'`` (see :mod:`.breaks`).
"""

from __future__ import annotations

from tests.conformance.zoo.breaks import BREAKS, VALID_VARIATIONS, Break
from tests.conformance.zoo.hostile import HOSTILE, Hostile, Scope
from tests.conformance.zoo.rawclient import RawAnswer, raw_request
from tests.conformance.zoo.reference import RESET_PATH, ROUTE, ReferenceApp, create_app
from tests.conformance.zoo.serve import serve_hostile, serve_reference, serve_wsgi

__all__ = [
    "BREAKS",
    "HOSTILE",
    "RESET_PATH",
    "ROUTE",
    "VALID_VARIATIONS",
    "Break",
    "Hostile",
    "RawAnswer",
    "ReferenceApp",
    "Scope",
    "create_app",
    "raw_request",
    "serve_hostile",
    "serve_reference",
    "serve_wsgi",
]
