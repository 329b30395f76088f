"""Comparing two contracts: :func:`diff_contracts`.

The response types are walked side by side from the root: a member is paired with the
member of the same name (then the same name in another case, then a removed and an added
member with the same type at the same position, which is a rename); collection items and
generic arguments are paired by position. Every difference becomes a
:class:`~contract.compiler.diff.model.Change` classified by :mod:`contract.compiler.diff.rules`.
"""

from __future__ import annotations

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    ComplexType,
    DictionaryType,
    Member,
    NullableType,
    PrimitiveType,
    display_name,
)
from contract.compiler.diff import rules
from contract.compiler.diff.members import MemberPairs, pair_members
from contract.compiler.diff.model import Change, ChangeKind
from contract.compiler.diff.operation import operation_changes
from contract.compiler.diff.rules import Role, Rule
from contract.datacontract import contract_name, root_element_name, xml_member_order
from contract.endpoint import EndpointContract

__all__ = ["diff_contracts"]


def diff_contracts(old: EndpointContract, new: EndpointContract) -> list[Change]:
    """Every change from ``old`` to ``new``, each classified for both clients.

    Operation, parameter, media type and date format changes come first, then the
    response's root name, then its types from the root down.
    """
    changes = operation_changes(old, new)
    if (old.response_type is None) != (new.response_type is None):
        rule = rules.response_type_changed(now_empty=new.response_type is None)
        changes.append(
            _change(
                ChangeKind.RESPONSE_TYPE, "response", old.response_type, new.response_type, rule
            )
        )
    elif old.response_type is not None and new.response_type is not None:
        walker = _TypeWalker(old, new)
        walker.root(old.response_type, new.response_type)
        changes.extend(walker.changes)
    return changes


def _text(clr_type: ClrType | None) -> str:
    return "" if clr_type is None else full_display_name(clr_type)


def full_display_name(clr_type: ClrType) -> str:
    """:func:`~contract.clr.display_name` with complex types' CLR namespaces."""
    return display_name(clr_type, full=True)


def _change(
    kind: ChangeKind, where: str, old: ClrType | str | None, new: ClrType | str | None, rule: Rule
) -> Change:
    old_text = old if isinstance(old, str) else _text(old)
    new_text = new if isinstance(new, str) else _text(new)
    return Change(kind, where, old_text, new_text, rule[0], rule[1])


class _TypeWalker:
    """Walks the old and new response types in step, collecting changes."""

    def __init__(self, old: EndpointContract, new: EndpointContract) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self._seen: set[tuple[ComplexRef, ComplexRef]] = set()

    def root(self, old: ClrType, new: ClrType) -> None:
        """Compare the root element names, then the types."""
        old_root, new_root = root_element_name(old), root_element_name(new)
        if old_root != new_root:
            self._add(
                ChangeKind.ROOT_NAME,
                "root",
                old_root.clark(),
                new_root.clark(),
                rules.root_name_changed(),
            )
        self.types(old, new, display_name(old), Role.ROOT)

    def _add(
        self,
        kind: ChangeKind,
        where: str,
        old: ClrType | str | None,
        new: ClrType | str | None,
        rule: Rule,
    ) -> None:
        self.changes.append(_change(kind, where, old, new, rule))

    def types(self, old: ClrType, new: ClrType, where: str, role: Role) -> None:
        """Compare two types found at the same place."""
        if isinstance(old, NullableType) != isinstance(new, NullableType):
            rule = (
                rules.nullability_tightened()
                if isinstance(old, NullableType)
                else rules.nullability_relaxed()
            )
            self._add(ChangeKind.NULLABILITY, where, old, new, rule)
            old = old.inner if isinstance(old, NullableType) else old
            new = new.inner if isinstance(new, NullableType) else new
        self._same_nullability(old, new, where, role)

    def _same_nullability(self, old: ClrType, new: ClrType, where: str, role: Role) -> None:
        match old, new:
            case NullableType(inner=a), NullableType(inner=b):
                self.types(a, b, where, role)
            case PrimitiveType(primitive=a), PrimitiveType(primitive=b):
                if a is not b:
                    self._add(ChangeKind.RETYPED, where, old, new, rules.primitive_retyped(a, b))
            case ArrayType(item=a), ArrayType(item=b):
                self.types(a, b, f"{where}[]", Role.ITEM)
            case DictionaryType(), DictionaryType():
                self.types(old.key, new.key, f"{where}[key]", Role.ITEM)
                self.types(old.value, new.value, f"{where}[value]", Role.ITEM)
            case ComplexRef(), ComplexRef():
                self._complex(old, new, role)
            case _:
                self._add(ChangeKind.RETYPED, where, old, new, rules.shape_changed())

    def _complex(self, old: ComplexRef, new: ComplexRef, role: Role) -> None:
        if (old, new) in self._seen:
            return
        self._seen.add((old, new))
        where = display_name(old)
        if (old.clr_namespace, old.name) != (new.clr_namespace, new.name):
            self._add(
                ChangeKind.CLR_TYPE, where, old.full_name, new.full_name, rules.clr_type_changed()
            )
        self._names(old, new, where, role)
        for old_arg, new_arg in zip(old.generic_args, new.generic_args, strict=False):
            self.types(old_arg, new_arg, f"{where}<>", Role.MEMBER)
        self._members(self.old.catalog[old], self.new.catalog[new])

    def _names(self, old: ComplexRef, new: ComplexRef, where: str, role: Role) -> None:
        old_name, new_name = contract_name(old), contract_name(new)
        if [display_name(a) for a in old.generic_args] != [
            display_name(a) for a in new.generic_args
        ]:
            old_args = ", ".join(map(full_display_name, old.generic_args))
            new_args = ", ".join(map(full_display_name, new.generic_args))
            self._add(
                ChangeKind.GENERIC_ARGUMENT,
                where,
                old_args,
                new_args,
                rules.generic_argument_changed(role),
            )
        elif old_name.name != new_name.name and role is not Role.ROOT:
            case_only = old_name.name.lower() == new_name.name.lower()
            self._add(
                ChangeKind.CONTRACT_NAME,
                where,
                old_name.name,
                new_name.name,
                rules.contract_name_changed(role, case_only),
            )
        if old_name.namespace != new_name.namespace and role is not Role.ROOT:
            self._add(
                ChangeKind.CONTRACT_NAMESPACE,
                where,
                old_name.namespace,
                new_name.namespace,
                rules.contract_namespace_changed(role),
            )

    def _members(self, old: ComplexType, new: ComplexType) -> None:
        type_name = display_name(old.ref)
        pairs = pair_members(old.members, new.members)
        self._member_changes(type_name, pairs)
        for old_member, new_member in pairs.matched():
            where = f"{type_name}.{old_member.name}"
            self.types(old_member.type, new_member.type, where, Role.MEMBER)
        self._order(type_name, old, new)

    def _member_changes(self, type_name: str, pairs: MemberPairs) -> None:
        for member in pairs.added:
            self._add(
                ChangeKind.MEMBER_ADDED,
                f"{type_name}.{member.name}",
                None,
                member.type,
                rules.member_added(),
            )
        for member in pairs.removed:
            self._add(
                ChangeKind.MEMBER_REMOVED,
                f"{type_name}.{member.name}",
                member.type,
                None,
                rules.member_removed(_required(member)),
            )
        for old_member, new_member in pairs.renamed:
            self._add(
                ChangeKind.MEMBER_RENAMED,
                f"{type_name}.{old_member.name}",
                old_member.name,
                new_member.name,
                rules.member_renamed(_required(old_member)),
            )
        for old_member, new_member in pairs.case_renamed:
            self._add(
                ChangeKind.MEMBER_CASE_RENAMED,
                f"{type_name}.{old_member.name}",
                old_member.name,
                new_member.name,
                rules.member_case_renamed(_required(old_member)),
            )

    def _order(self, type_name: str, old: ComplexType, new: ComplexType) -> None:
        common = {m.name for m in old.members} & {m.name for m in new.members}
        old_order = [m.name for m in xml_member_order(old) if m.name in common]
        new_order = [m.name for m in xml_member_order(new) if m.name in common]
        if old_order != new_order:
            self._add(
                ChangeKind.XML_MEMBER_ORDER,
                type_name,
                ", ".join(old_order),
                ", ".join(new_order),
                rules.xml_member_order_changed(),
            )


def _required(member: Member) -> bool:
    return member.constraints.required
