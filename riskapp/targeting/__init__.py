"""Inspection targeting: where under-declaration is likely, and which visits to make."""
