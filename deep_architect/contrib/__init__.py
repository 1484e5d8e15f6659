"""Contributed code built on the core.

Communicators, framework backends, search spaces, evaluators and searchers.
"""
