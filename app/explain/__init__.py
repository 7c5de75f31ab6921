"""Pitfall explanations: a data catalog of torch errors and the matcher that fills it in."""

from app.explain.matcher import ErrorFacts, Explanation, explain
from app.explain.pitfall_catalog import CatalogError, catalog, validate_catalog

__all__ = ["CatalogError", "ErrorFacts", "Explanation", "catalog", "explain", "validate_catalog"]
