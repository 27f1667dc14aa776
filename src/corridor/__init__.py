"""Corridor: plan and stress-test the movement of forces, supplies, aid and casualties."""

__version__ = "0.1.0"
