import functools
from json import dumps, loads
from tortoise import migrations
from tortoise.migrations import operations as ops
from models.accounts import Role
from models.claims import ClaimReason, ClaimResolution, ClaimStatus
from models.events import EventKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_quotes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Claim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('buyer', fields.ForeignKeyField('models.Account', source_field='buyer_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('seller', fields.ForeignKeyField('models.Seller', source_field='seller_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.CharEnumField(description='DEFECTIVE: DEFECTIVE\nDAMAGED: DAMAGED\nMISSING_ITEM: MISSING_ITEM\nWRONG_ITEM: WRONG_ITEM\nNOT_AS_DESCRIBED: NOT_AS_DESCRIBED\nWITHDRAWAL: WITHDRAWAL', enum_type=ClaimReason, max_length=20)),
                ('status', fields.CharEnumField(description='OPEN: OPEN\nRETURN_REQUESTED: RETURN_REQUESTED\nRETURN_SHIPPED: RETURN_SHIPPED\nRETURN_RECEIVED: RETURN_RECEIVED\nRESOLVED: RESOLVED\nREJECTED: REJECTED\nCANCELLED: CANCELLED', enum_type=ClaimStatus, max_length=20)),
                ('thread', fields.ForeignKeyField('models.Thread', source_field='thread_id', null=True, db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('return_instructions', fields.TextField(null=True, unique=False)),
                ('return_carrier', fields.CharField(null=True, max_length=200)),
                ('return_tracking_number', fields.CharField(null=True, max_length=200)),
                ('resolution', fields.CharEnumField(null=True, description='REFUND: REFUND\nREPLACEMENT: REPLACEMENT\nREPAIR: REPAIR', enum_type=ClaimResolution, max_length=12)),
                ('refund_due_by', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_reported_for', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'claim', 'app': 'models', 'indexes': [Index(fields=['buyer_id', 'id'], name='claim_by_buyer'), Index(fields=['seller_id', 'id'], name='claim_by_seller'), Index(fields=['company_id', 'id'], name='claim_by_company'), Index(fields=['status', 'refund_due_by'], name='claim_by_status')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClaimLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('order_line', fields.ForeignKeyField('models.OrderLine', source_field='order_line_id', db_constraint=True, to_field='id', related_name='claim_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
            ],
            options={'table': 'claim_line', 'app': 'models', 'unique_together': (('claim', 'order_line'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClaimStatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='OPEN: OPEN\nRETURN_REQUESTED: RETURN_REQUESTED\nRETURN_SHIPPED: RETURN_SHIPPED\nRETURN_RECEIVED: RETURN_RECEIVED\nRESOLVED: RESOLVED\nREJECTED: REJECTED\nCANCELLED: CANCELLED', enum_type=ClaimStatus, max_length=20)),
                ('to_status', fields.CharEnumField(description='OPEN: OPEN\nRETURN_REQUESTED: RETURN_REQUESTED\nRETURN_SHIPPED: RETURN_SHIPPED\nRETURN_RECEIVED: RETURN_RECEIVED\nRESOLVED: RESOLVED\nREJECTED: REJECTED\nCANCELLED: CANCELLED', enum_type=ClaimStatus, max_length=20)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_role', fields.CharEnumField(null=True, description='BUYER: BUYER\nSELLER: SELLER\nADMIN: ADMIN', enum_type=Role, max_length=8)),
                ('actor_account_id', fields.IntField(null=True)),
                ('reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'claim_status_change', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Refund',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.RESTRICT)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', null=True, db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('reason', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refund', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Money given back on an order (the order keeps their sum in `refunded_total`).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Upload',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.Account', source_field='owner_id', db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.CASCADE)),
                ('storage_key', fields.CharField(unique=True, max_length=64)),
                ('content_type', fields.CharField(max_length=32)),
                ('size', fields.IntField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'upload', 'app': 'models', 'indexes': [Index(fields=['claim_id', 'id'], name='upload_by_claim'), Index(fields=['created_at'], name='upload_by_age')], 'pk_attr': 'id', 'table_description': 'A re-encoded image: a claim photo once attached, deleted after a day otherwise.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='kind',
            field=fields.CharEnumField(description='ORDER_STATUS: ORDER_STATUS\nMESSAGE: MESSAGE\nSESSION_REVOKED: SESSION_REVOKED\nQUOTE_STATUS: QUOTE_STATUS\nCLAIM_STATUS: CLAIM_STATUS', enum_type=EventKind, max_length=20),
        ),
        ops.AddField(
            model_name='Event',
            name='claim_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Event',
            index=Index(fields=['claim_id', 'id']),
        ),
        # Keys now belong to an account and a scope. The table is made again: existing keys
        # (honoured 48 h, reservation retries only) cannot be given a scope they never had.
        ops.DeleteModel(name='IdempotencyKey'),
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='idempotency_keys', on_delete=OnDelete.CASCADE)),
                ('scope', fields.CharField(max_length=32)),
                ('key', fields.CharField(max_length=200)),
                ('request_hash', fields.CharField(max_length=64)),
                ('cart_hash', fields.CharField(default='', max_length=64)),
                ('result_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_key', 'app': 'models', 'unique_together': (('account', 'scope', 'key'),), 'pk_attr': 'id', 'table_description': 'An account\'s key for a request that must happen once (reserveCart, resolveClaim).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Order',
            name='delivered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Order',
            name='refunded_total',
            field=fields.DecimalField(default=0, max_digits=12, decimal_places=2),
        ),
    ]
