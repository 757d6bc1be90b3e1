"""Shared pytest configuration.

Area fixtures live beside their tests (``tests/<area>/conftest.py``); the simulator fixtures come
from ``wagerkit.sim.<venue>.testing`` so that users can reuse them in their own test suites.
"""
