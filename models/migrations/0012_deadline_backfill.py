from datetime import UTC, datetime

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# Written by hand: the deadlines that started before 0011 have no `deadline` row, so the alert
# job would never look at them. One row per running deadline, due for a look at the
# migration's instant: the job reads each source on its next round and raises what fell due.
# A deadline whose passing was already acted on (the thread's seller reminded, the claim
# marked overdue) starts at the OVERDUE stage for that due instant, so it is not acted on
# twice. Rows already there (a touch since 0011, a second run) are left alone.

# Per source: its table, the rows with a running deadline, and (the rows whose passing was
# already acted on, the due instant it was acted on for) when that can have happened.
SOURCES: list[tuple[str, str, str, tuple[str, str] | None]] = [
    (
        'SLA',
        'thread',
        '"seller_id" IS NOT NULL AND "response_due_at" IS NOT NULL',
        ('"overdue_reminded"', '"response_due_at"'),
    ),
    ('CLAIM', 'claim', '"status" = \'OPEN\'', ('"overdue_reported_for" IS NOT NULL', '"overdue_reported_for"')),
    (
        'REFUND',
        'claim',
        '"status" = \'RETURN_RECEIVED\' AND "refund_due_by" IS NOT NULL',
        ('"overdue_reported_for" IS NOT NULL', '"overdue_reported_for"'),
    ),
    ('QUOTE', 'quote', '"status" = \'REQUESTED\'', None),
    ('ORDER', 'order', '"status" = \'PENDING\'', None),
]


def backfill_sql(dialect: str) -> list[str]:
    # One instant for every row, as a parameter: each backend stores it in its own format.
    now = '$1::timestamptz' if dialect == 'postgres' else '?'
    statements = []
    for source, table, rows, acted in SOURCES:
        stage, due = "'NONE'", 'NULL'
        if acted is not None:
            stage = f"CASE WHEN {acted[0]} THEN 'OVERDUE' ELSE 'NONE' END"
            due = f'CASE WHEN {acted[0]} THEN {acted[1]} END'
        statements.append(
            'INSERT INTO "deadline" ("source", "source_id", "version", "stage", "due_at", "next_alert_at") '
            f"SELECT '{source}', \"id\", 0, {stage}, {due}, {now} FROM \"{table}\" WHERE {rows} "
            'ON CONFLICT ("source", "source_id") DO NOTHING'
        )
    return statements


async def backfill(apps: object, schema_editor: BaseSchemaEditor) -> None:
    now = datetime.now(UTC)
    postgres = schema_editor.DIALECT == 'postgres'
    for sql in backfill_sql(schema_editor.DIALECT):
        await schema_editor.client.execute_query(sql, [now if postgres else str(now)])


class Migration(migrations.Migration):
    dependencies = [('models', '0011_deadlines')]

    initial = False

    operations = [
        # Backwards: the rows stay (the 0011 schema has the table; the job keeps them right).
        ops.RunPython(backfill, ops.RunPython.noop),
    ]
