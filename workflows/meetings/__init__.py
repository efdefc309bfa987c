"""Meetings: an organ's meeting series over a term, and each meeting from notice to minutes."""
