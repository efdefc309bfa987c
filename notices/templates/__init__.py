"""Jinja2 templates of the notices (a package so that setuptools ships the .j2 files with it)."""
