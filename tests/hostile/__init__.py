"""Hostile raw requests and the Node probe that records the answers."""
