"""Accounts, sessions and API tokens.

Ordinary rows, not events, so they can change and be erased.
"""
