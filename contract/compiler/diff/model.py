"""What a contract diff reports: each change, and what it does to each kind of client."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Change", "ChangeKind", "Client", "Level", "Verdict", "worst"]


class Client(enum.Enum):
    """The two readers a Web API 2 client deserializes the response with."""

    JSON = "json"
    XML = "xml"

    @property
    def title(self) -> str:
        """The reader's name for reports."""
        return "Json.NET" if self is Client.JSON else "DataContractSerializer"


class Level(enum.Enum):
    """How a change affects a client built against the old contract.

    ``BREAKING``: the client fails (an exception, a 404/405/415); ``LOSSY``: it still reads
    the response but silently loses data (a member left at its default);
    ``COMPATIBLE``: it reads everything it read before.
    """

    COMPATIBLE = "compatible"
    LOSSY = "lossy"
    BREAKING = "breaking"

    @property
    def rank(self) -> int:
        """0 compatible, 1 lossy, 2 breaking: for picking the worst of several."""
        return list(Level).index(self)


def worst(levels: list[Level]) -> Level:
    """The most severe of ``levels`` (compatible when there is none)."""
    return max(levels, key=lambda level: level.rank, default=Level.COMPATIBLE)


class ChangeKind(enum.Enum):
    """What changed between the two contracts."""

    METHOD = "method-changed"
    ROUTE = "route-changed"
    PARAMETER_ADDED = "parameter-added"
    PARAMETER_REMOVED = "parameter-removed"
    PARAMETER_RETYPED = "parameter-retyped"
    PARAMETER_REQUIRED = "parameter-required-changed"
    REQUEST_BODY = "request-body-changed"
    MEDIA_TYPE_ADDED = "media-type-added"
    MEDIA_TYPE_REMOVED = "media-type-removed"
    RESPONSE_TYPE = "response-type-changed"
    ROOT_NAME = "root-name-changed"
    CLR_TYPE = "clr-type-changed"
    GENERIC_ARGUMENT = "generic-argument-changed"
    CONTRACT_NAME = "contract-name-changed"
    CONTRACT_NAMESPACE = "contract-namespace-changed"
    MEMBER_ADDED = "member-added"
    MEMBER_REMOVED = "member-removed"
    MEMBER_RENAMED = "member-renamed"
    MEMBER_CASE_RENAMED = "member-case-renamed"
    RETYPED = "type-changed"
    NULLABILITY = "nullability-changed"
    XML_MEMBER_ORDER = "xml-member-order-changed"
    JSON_DATE_FORMAT = "json-date-format-changed"


@dataclass(frozen=True)
class Verdict:
    """One client's classification of a change, with the reader behaviour it rests on."""

    level: Level
    reason: str


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new contract.

    ``where`` is ``Type.Member`` for a member, the type's name for a type, a URL path or
    media type for the operation; ``old`` and ``new`` are the two sides as text ("" when
    a side has nothing). ``json`` and ``xml`` classify it for a Json.NET and a
    DataContractSerializer client.
    """

    kind: ChangeKind
    where: str
    old: str
    new: str
    json: Verdict
    xml: Verdict

    def verdict(self, client: Client) -> Verdict:
        """The classification for ``client``."""
        return self.json if client is Client.JSON else self.xml

    @property
    def level(self) -> Level:
        """The worse of the two clients' levels."""
        return worst([self.json.level, self.xml.level])
