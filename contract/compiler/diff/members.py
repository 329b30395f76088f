"""Pairing the members of an old and a new version of a type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from contract.clr import Member
from contract.compiler.diff.wire import same_wire_type

__all__ = ["MemberPairs", "pair_members"]


@dataclass(frozen=True)
class MemberPairs:
    """How the members of two versions of a type correspond.

    ``same``: same name; ``case_renamed``: same name but for case; ``renamed``: a removed
    and an added member with the same type at the same position (declaration order);
    ``removed`` and ``added``: the rest.
    """

    same: tuple[tuple[Member, Member], ...]
    case_renamed: tuple[tuple[Member, Member], ...]
    renamed: tuple[tuple[Member, Member], ...]
    removed: tuple[Member, ...]
    added: tuple[Member, ...]

    def matched(self) -> Iterator[tuple[Member, Member]]:
        """Every (old, new) pair whose types are compared."""
        yield from self.same
        yield from self.case_renamed
        yield from self.renamed


def pair_members(old: tuple[Member, ...], new: tuple[Member, ...]) -> MemberPairs:
    """Pair ``old`` members with ``new`` ones by name, by name in any case, then as renames."""
    new_names = {m.name for m in new}
    same = tuple((m, next(n for n in new if n.name == m.name)) for m in old if m.name in new_names)
    rest_old = [m for m in old if m.name not in new_names]
    rest_new = [m for m in new if m.name not in {o.name for o in old}]
    case_renamed = []
    for member in list(rest_old):
        match = next((n for n in rest_new if n.name.lower() == member.name.lower()), None)
        if match is not None:
            case_renamed.append((member, match))
            rest_old.remove(member)
            rest_new.remove(match)
    renamed = _renames(old, new, rest_old, rest_new)
    for old_member, new_member in renamed:
        rest_old.remove(old_member)
        rest_new.remove(new_member)
    return MemberPairs(same, tuple(case_renamed), renamed, tuple(rest_old), tuple(rest_new))


def _renames(
    old: tuple[Member, ...], new: tuple[Member, ...], removed: list[Member], added: list[Member]
) -> tuple[tuple[Member, Member], ...]:
    pairs = []
    for member in removed:
        position = old.index(member)
        if position >= len(new):
            continue
        candidate = new[position]
        if candidate in added and same_wire_type(candidate.type, member.type):
            pairs.append((member, candidate))
    return tuple(pairs)
