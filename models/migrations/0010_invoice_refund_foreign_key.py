from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# Written by hand: the generated AddField + RemoveField would add a second `refund_id` column
# before dropping the first. The old column is renamed aside, its values copied into the new
# foreign key, then dropped, so existing credit notes keep their refund. On SQLite dropping a
# column rebuilds the table without its indexes and unique constraints: they are made again.

SQLITE_INDEXES = [
    'CREATE UNIQUE INDEX "uid_invoice_seller__903ec7" ON "invoice" ("seller_id", "year", "sequence")',
    'CREATE UNIQUE INDEX "invoice_refund_id_key" ON "invoice" ("refund_id")',
    'CREATE INDEX "invoice_by_seller" ON "invoice" ("seller_id", "id")',
    'CREATE INDEX "invoice_by_buyer" ON "invoice" ("buyer_id", "id")',
    'CREATE INDEX "invoice_by_company" ON "invoice" ("company_id", "id")',
]


async def _restore_sqlite_indexes(apps: object, schema_editor: BaseSchemaEditor) -> None:
    if schema_editor.DIALECT == "sqlite":
        for sql in SQLITE_INDEXES:
            await schema_editor._run_sql(sql)


class Migration(migrations.Migration):
    dependencies = [('models', '0009_throttle')]

    initial = False

    operations = [
        ops.RenameField(model_name='Invoice', old_name='refund_id', new_name='old_refund_id'),
        ops.AddField(
            model_name='Invoice',
            name='refund',
            field=fields.OneToOneField('models.Refund', source_field='refund_id', null=True, db_constraint=True, to_field='id', related_name='credit_note', on_delete=OnDelete.RESTRICT),
        ),
        ops.RunSQL(
            'UPDATE "invoice" SET "refund_id" = "old_refund_id"',
            reverse_sql='UPDATE "invoice" SET "old_refund_id" = "refund_id"',
        ),
        ops.RemoveField(model_name='Invoice', name='old_refund_id'),
        ops.RunPython(_restore_sqlite_indexes, ops.RunPython.noop),
    ]
