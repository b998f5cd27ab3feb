"""Analyst and operator tools over the snapshots: find one person, erase them, revert a run."""
