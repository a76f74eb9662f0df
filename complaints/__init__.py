"""Complaints filed as electronic documents signed with a citizen's EDS (issue 7)."""
