from tortoise import migrations
from tortoise.migrations import operations as ops
from models.standing import FlagDecision
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_invoices')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FlagReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.OneToOneField('models.Message', source_field='message_id', db_constraint=True, to_field='id', related_name='review', on_delete=OnDelete.RESTRICT)),
                ('decision', fields.CharEnumField(description='DISMISSED: DISMISSED\nWARNED: WARNED\nSUSPENDED: SUSPENDED', enum_type=FlagDecision, max_length=10)),
                ('note', fields.TextField(null=True, unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('by', fields.ForeignKeyField('models.Account', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='flag_reviews', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'flag_review', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An admin decision on one flagged message (a unique message: one decision only).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Suspension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seller', fields.ForeignKeyField('models.Seller', source_field='seller_id', db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.TextField(unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('by', fields.ForeignKeyField('models.Account', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='suspensions_decided', on_delete=OnDelete.SET_NULL)),
                ('review', fields.ForeignKeyField('models.FlagReview', source_field='review_id', null=True, db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.RESTRICT)),
                ('reinstated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reinstated_by', fields.ForeignKeyField('models.Account', source_field='reinstated_by_id', null=True, db_constraint=True, to_field='id', related_name='reinstatements', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'suspension', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Every suspension of a seller, who decided it and when, and its early end if any.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Seller',
            name='suspended_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Seller',
            index=Index(fields=['suspended_until'], name='seller_suspended'),
        ),
        ops.AddField(
            model_name='Thread',
            name='awaiting_review',
            field=fields.BooleanField(default=False),
        ),
        ops.AddIndex(
            model_name='Thread',
            index=Index(fields=['awaiting_review', 'last_message_at', 'id'], name='thread_review_queue'),
        ),
    ]
