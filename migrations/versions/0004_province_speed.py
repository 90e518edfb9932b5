"""province speed: covering indexes for the dashboard, ranking, gaps, trend and the map's ETag

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Covering indexes: each dashboard aggregate reads one index, never the 100,000 table rows.
STATUS_INDEXES = {
    # By area: GROUP BY area, grade, declared grade in index order; filters and states inside.
    "ix_enterprise_status_dashboard": [
        "province_id", "area_id", "effective_grade", "declared_grade", "next_due_on",
        "current_assessment_id", "industry", "headcount", "assessed_on",
    ],
    "ix_enterprise_status_industry_dashboard": [
        "province_id", "industry", "effective_grade", "next_due_on", "current_assessment_id",
        "headcount", "area_id", "declared_grade", "assessed_on",
    ],
    # Inspection ranking: group sizes by (grade, failed critical), then one group's rows in order.
    "ix_enterprise_status_ranking": [
        "province_id", "effective_grade", "failed_critical", "current_assessment_id", "area_id",
        "industry", "headcount",
    ],
    # Overdue lists and counts: a range of due dates, filters checked inside the index.
    "ix_enterprise_status_due_dashboard": [
        "province_id", "next_due_on", "current_assessment_id", "area_id", "industry",
        "headcount", "effective_grade",
    ],
    # From the failing actions of an item to the enterprises whose current assessment they are.
    "ix_enterprise_status_current": [
        "current_assessment_id", "province_id", "area_id", "industry", "headcount",
        "effective_grade",
    ],
    "ix_enterprise_status_province_regraded": ["province_id", "regraded_at"],
    # The map's ETag: the roll-up's last change.
    "ix_enterprise_status_province_updated": ["province_id", "updated_at"],
}


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch_op:
        # The trend under an industry or size filter groups a date range of history.
        batch_op.create_index(
            "ix_assessment_trend",
            ["province_id", "assessed_on", "status", "enterprise_id", "grade"],
        )
    with op.batch_alter_table("enterprise_status") as batch_op:
        # Superseded by the covering due-date index (the planner preferred it, then read rows).
        batch_op.drop_index("ix_enterprise_status_province_due")
        for name, columns in STATUS_INDEXES.items():
            batch_op.create_index(name, columns)
    with op.batch_alter_table("remediation_action") as batch_op:
        # The failing items of current assessments, joined without reading the action rows.
        batch_op.create_index("ix_action_assessment_item", ["assessment_id", "item_id", "critical"])
        batch_op.create_index("ix_action_item_assessment", ["item_id", "assessment_id"])


def downgrade() -> None:
    with op.batch_alter_table("remediation_action") as batch_op:
        batch_op.drop_index("ix_action_item_assessment")
        batch_op.drop_index("ix_action_assessment_item")
    with op.batch_alter_table("enterprise_status") as batch_op:
        for name in reversed(STATUS_INDEXES):
            batch_op.drop_index(name)
        batch_op.create_index("ix_enterprise_status_province_due", ["province_id", "next_due_on"])
    with op.batch_alter_table("assessment") as batch_op:
        batch_op.drop_index("ix_assessment_trend")
