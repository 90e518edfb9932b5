"""The models, split by aggregate; importing this package registers every table."""

from riskapp.models.access import ApiToken, ReminderLog
from riskapp.models.assessment import GRADED_STATUSES, Assessment, EnterpriseStatus, Finding
from riskapp.models.audit import (
    AuditChainHead,
    AuditLog,
    AuditLogIsAppendOnly,
    AuditLogPersonal,
    Job,
)
from riskapp.models.checklist import ChecklistActivation, ChecklistVersion
from riskapp.models.enterprise import Enterprise
from riskapp.models.enums import (
    OFFICER_ACTION_STATUSES,
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AreaChange,
    AreaKind,
    AssessmentStatus,
    Grade,
    JobStatus,
    Priority,
    ProposalStatus,
    ReportStatus,
    ReviewDecision,
    ReviewStatus,
    Role,
    RoundStatus,
    TokenPurpose,
)
from riskapp.models.evidence import Evidence
from riskapp.models.forensics import ForensicFlag
from riskapp.models.impact import ImpactPreview
from riskapp.models.notification import Notification, NotificationDelivery, NotificationSettings
from riskapp.models.privacy import ErasureRequest, RetentionSetting
from riskapp.models.remediation import RemediationAction
from riskapp.models.report import Report
from riskapp.models.review import AssessmentReview, ReviewComment
from riskapp.models.rollup import WeeklyGradeCount
from riskapp.models.rounds import ReportingRound, RoundTarget
from riskapp.models.signing import SigningKey
from riskapp.models.territory import Area, AreaLevel, AreaSuccession, LevelProposal, Province
from riskapp.models.transparency import LogLeaf, LogNode, LogState, LogTreeHead
from riskapp.models.user import AuditorArea, OneTimeToken, User
from riskapp.models.visit import InspectionVisit, VisitStatus
from riskapp.models.webhook import ChangeEvent, WebhookDelivery, WebhookEndpoint
from riskapp.models.work import WorkItem

__all__ = [
    "ImpactPreview",
    "OFFICER_ACTION_STATUSES",
    "OPEN_ACTION_STATUSES",
    "GRADED_STATUSES",
    "ActionStatus",
    "ApiToken",
    "Area",
    "AreaChange",
    "AreaKind",
    "AreaLevel",
    "AreaSuccession",
    "Assessment",
    "AssessmentReview",
    "AssessmentStatus",
    "AuditChainHead",
    "AuditLog",
    "AuditLogIsAppendOnly",
    "AuditLogPersonal",
    "AuditorArea",
    "ChangeEvent",
    "ChecklistActivation",
    "ChecklistVersion",
    "Enterprise",
    "ErasureRequest",
    "EnterpriseStatus",
    "Evidence",
    "Finding",
    "ForensicFlag",
    "Grade",
    "InspectionVisit",
    "Job",
    "JobStatus",
    "LevelProposal",
    "LogLeaf",
    "LogNode",
    "LogState",
    "LogTreeHead",
    "OneTimeToken",
    "Priority",
    "ProposalStatus",
    "Province",
    "ReminderLog",
    "RemediationAction",
    "Report",
    "ReportingRound",
    "ReportStatus",
    "SigningKey",
    "RetentionSetting",
    "ReviewComment",
    "ReviewDecision",
    "ReviewStatus",
    "Role",
    "RoundStatus",
    "RoundTarget",
    "TokenPurpose",
    "User",
    "VisitStatus",
    "WeeklyGradeCount",
    "Notification",
    "NotificationDelivery",
    "NotificationSettings",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkItem",
]
