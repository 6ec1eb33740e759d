from tortoise import migrations
from tortoise.migrations import operations as ops
from models.deadlines import AlertStage, DeadlineSource
from models.events import EventKind
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_invoice_refund_foreign_key')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Deadline',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharEnumField(description='SLA: SLA\nCLAIM: CLAIM\nREFUND: REFUND\nQUOTE: QUOTE\nORDER: ORDER', enum_type=DeadlineSource, max_length=8)),
                ('source_id', fields.IntField()),
                ('version', fields.IntField(default=0)),
                ('seller_id', fields.IntField(null=True)),
                ('thread_id', fields.IntField(null=True)),
                ('claim_id', fields.IntField(null=True)),
                ('quote_id', fields.IntField(null=True)),
                ('order_id', fields.IntField(null=True)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('at_risk_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('stage', fields.CharEnumField(default=AlertStage.NONE, description='NONE: NONE\nAT_RISK: AT_RISK\nOVERDUE: OVERDUE', enum_type=AlertStage, max_length=8)),
                ('next_alert_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deadline', 'app': 'models', 'unique_together': (('source', 'source_id'),), 'indexes': [Index(fields=['next_alert_at'], name='deadline_next_alert')], 'pk_attr': 'id', 'table_description': "A source's deadline as the alert job sees it."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='kind',
            field=fields.CharEnumField(description='ORDER_STATUS: ORDER_STATUS\nMESSAGE: MESSAGE\nSESSION_REVOKED: SESSION_REVOKED\nQUOTE_STATUS: QUOTE_STATUS\nCLAIM_STATUS: CLAIM_STATUS\nDEADLINE: DEADLINE', enum_type=EventKind, max_length=20),
        ),
    ]
