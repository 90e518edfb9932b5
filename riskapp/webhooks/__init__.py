"""Outbound webhooks: a province's endpoints receive its change events, signed."""
