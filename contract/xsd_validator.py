"""A validator built from a set of XSD files, such as the committed ``contract/generated/xsd``.

Run time: the suite and the tests build the validator of a response body from the files
the compiler generated (:mod:`contract.compiler.emit.xsd`), without the compiler.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from lxml import etree

__all__ = ["ENTRY_SCHEMA", "xsd_schema"]

ENTRY_SCHEMA = "response.xsd"
"""The schema over the wire profile that validates a whole response body."""


def xsd_schema(files: dict[str, bytes], entry: str = ENTRY_SCHEMA) -> etree.XMLSchema:
    """A validator for ``entry`` built from rendered ``files``, nothing written in the project.

    The files are written to a private temporary directory so that relative
    ``schemaLocation`` imports resolve; the compiled schema does not need them afterwards.
    """
    if entry not in files:
        raise ValueError(f"no schema file {entry!r} among {sorted(files)}")
    with tempfile.TemporaryDirectory(prefix="contract-xsd-") as directory:
        base = Path(directory)
        for path, content in files.items():
            target = base.joinpath(*_relative_path(path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        try:
            return etree.XMLSchema(file=str(base.joinpath(*_relative_path(entry).parts)))
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
            raise ValueError(f"schema {entry!r} does not load: {error}") from None


def _relative_path(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"schema file path {path!r} must be relative and stay inside the set")
    return relative
