"""Enums for roles, states and kinds; grades come from the scoring engine."""

from __future__ import annotations

import enum

from riskapp.scoring import Grade, Priority  # noqa: F401  (re-exported for the models)


class Role(enum.StrEnum):
    OFFICER = "officer"
    AUDITOR = "auditor"
    # Staff of a commune/ward (or a grouping of them): the province's work inside their areas.
    AREA_VIEWER = "area_viewer"
    AREA_ADMIN = "area_admin"
    PROVINCE_VIEWER = "province_viewer"
    PROVINCE_ADMIN = "province_admin"
    PLATFORM_ADMIN = "platform_admin"

    @property
    def is_province_staff(self) -> bool:
        return self in (Role.PROVINCE_VIEWER, Role.PROVINCE_ADMIN)

    @property
    def is_area_staff(self) -> bool:
        return self in (Role.AREA_VIEWER, Role.AREA_ADMIN)

    @property
    def has_areas(self) -> bool:
        """Bound to areas (riskapp.models.AuditorArea): reaches only those subtrees."""
        return self == Role.AUDITOR or self.is_area_staff


class AreaKind(enum.StrEnum):
    CITY = "city"
    TOWN = "town"
    DISTRICT = "district"
    COMMUNE = "commune"
    WARD = "ward"
    TOWNSHIP = "township"
    ZONE = "zone"  # a special zone (đặc khu) since 2025, or an economic zone
    # A province's own grouping of communes (an economic zone, the former districts): not an
    # official unit; it exists for dashboards, levels, auditor assignments and filters.
    GROUP = "group"


class AreaChange(enum.StrEnum):
    """How an area became another from a date (riskapp.models.AreaSuccession)."""

    RENAME = "rename"
    MERGE = "merge"
    SPLIT = "split"
    MOVE = "move"
    REFORM = "reform"  # the 1 July 2025 reorganisation: an old commune into its new unit


class ProposalStatus(enum.StrEnum):
    """A level proposed by an area admin, decided once by a province admin."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    # Replaced by the action of a newer assessment (which carries owner, note and progress over).
    SUPERSEDED = "superseded"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.SUPERSEDED)

    @property
    def is_locked(self) -> bool:
        """Verified by an auditor or replaced by a newer assessment's action: no more edits."""
        return self in (ActionStatus.VERIFIED, ActionStatus.SUPERSEDED)


# Actions still to be done, and the states an officer may set (verifying is an auditor's).
OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
OFFICER_ACTION_STATUSES = (*OPEN_ACTION_STATUSES, ActionStatus.DONE)


class TokenPurpose(enum.StrEnum):
    INVITE = "invite"
    RESET = "reset"


class ReportStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RoundStatus(enum.StrEnum):
    """A reporting round's life: prepared, collecting (targets frozen), closed (figures frozen)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ReviewStatus(enum.StrEnum):
    """Where a submitted assessment stands with the authority's review."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    # Its grade is not one the province reviews (Province.review_grades): accepted on submit.
    AUTO_ACCEPTED = "auto_accepted"
    RETURNED = "returned"

    @property
    def is_accepted(self) -> bool:
        return self in (ReviewStatus.ACCEPTED, ReviewStatus.AUTO_ACCEPTED)


class ReviewDecision(enum.StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"
