"""Hostile submissions against the grading sandbox, built from the release."""
