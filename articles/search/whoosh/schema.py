"""The index's facet fields: each document's values also kept in a list column (what facets count).

Module level and never renamed, because Whoosh pickles the schema (and these classes by their
module path) into the index; ``articles.search.whoosh.install`` aliases the paths they had before.
"""

from __future__ import annotations

from whoosh import columns
from whoosh.fields import KEYWORD


class FacetListReader(columns.PickleColumn.Reader):
    def __getitem__(self, docnum: int) -> list[str]:
        return super().__getitem__(docnum) or []


class FacetListColumn(columns.PickleColumn):
    """Each document's values of a multi-valued field, as one list (what facets count)."""

    Reader = FacetListReader

    def __init__(self) -> None:
        super().__init__(columns.VarBytesColumn())

    def stores_lists(self) -> bool:
        return True

    def default_value(self, reverse: bool = False) -> list[str]:
        """A segment none of whose documents has a value holds no column: each has no values."""
        return []


class FacetKeyword(KEYWORD):
    """Haystack's comma-separated KEYWORD field, with its values also in a list column."""

    def __init__(self, **kwargs) -> None:
        super().__init__(stored=True, commas=True, scorable=True, **kwargs)
        self.column_type = FacetListColumn()  # KEYWORD's ``sortable=`` ignores a Column object

    def to_column_value(self, value) -> list[str]:
        if isinstance(value, str):
            value = value.split(",")
        return [v for v in value or () if v]
