"""A stateful mock of the billing service's ``POST api/v1/billing/invoices/retryallfailed``.

The only public API is :func:`create_app`; ``python -m mock_server`` (or ``retry-mock``)
serves it under gunicorn. See :mod:`mock_server.retry` for the retry model,
:mod:`mock_server.scenarios` for the scenarios, :mod:`mock_server.faults` for fault
injection and :mod:`mock_server.vocabulary` for the values the invoices carry.
"""

from __future__ import annotations

from mock_server.app import create_app

__all__ = ["create_app"]
