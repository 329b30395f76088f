"""Checks any implementation of the retry endpoint against its contract."""
