"""Thin HTTP handlers, one module per audience: participant, console, screen, organiser."""
