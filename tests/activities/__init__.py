"""Test tier: activities."""
