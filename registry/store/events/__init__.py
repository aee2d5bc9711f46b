"""The event store and its transparency log.

Signed envelopes, the leaf index, the stored tree, checkpoints, witnesses, verification.
"""
