"""Lineage: candidates (policy), verification, relations, edges and direction, families, page versions, diff."""
