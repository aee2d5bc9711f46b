"""Read models: current state, status intervals, lists and the audit.

All derived from the signed events, written by one projection, and rebuildable.
"""
