"""Pitfall explanations: a data catalog of torch errors and the matcher that fills it in."""

from app.explain.matcher import (
    CatalogError,
    ErrorFacts,
    Explanation,
    catalog,
    explain,
    validate_catalog,
)

__all__ = ["CatalogError", "ErrorFacts", "Explanation", "catalog", "explain", "validate_catalog"]
