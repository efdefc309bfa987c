"""Test tier: e2e."""
