"""Read models: current state, status intervals, lists and the audit.

All derived from the signed events, written by one projection (projection.py), and
rebuildable. What a list asks for is one `Filters` (filters.py); the as-of lists answer it
over the status intervals (intervals.py, queries.py, party_view.py), the current-state list
over the summary (current.py), both as the page types of listed.py.
"""
