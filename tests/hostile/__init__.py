"""A corpus of hostile inputs, written by code (generate.py) and imported by test_hostile.py."""
