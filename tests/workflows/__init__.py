"""Test tier: workflows."""
