"""Checklist definitions (loaded YAML or JSON) to Checklists, every problem named at once.

Each problem reads "FILE: item ID, field NAME: what".
"""

from riskapp.scoring.definition.checklist import checklist_from_data

__all__ = ["checklist_from_data"]
