"""The response media type the contract requires for a request.

The rule is Web API 2's ``DefaultContentNegotiator``, owned by the contract package
(:func:`contract.negotiation.negotiate`); the suite applies it to the headers it sent.
Requests the suite sends carry no body and no Content-Type.
"""

from __future__ import annotations

from contract.negotiation import negotiate

__all__ = ["expected_media_type"]


def expected_media_type(accept: str | None, *, x_requested_with: str | None = None) -> str:
    """The media type (lowercase, without parameters) the response must have."""
    media_type = negotiate(accept, x_requested_with=x_requested_with)
    return media_type.split(";", 1)[0].strip().lower()
