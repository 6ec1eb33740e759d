from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.accounts import Role
from models.events import EventKind
from models.quotes import QuoteStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_moderation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Quote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('status', fields.CharEnumField(description='REQUESTED: REQUESTED\nOFFERED: OFFERED\nACCEPTED: ACCEPTED\nREFUSED: REFUSED\nDECLINED: DECLINED\nEXPIRED: EXPIRED', enum_type=QuoteStatus, max_length=12)),
                ('buyer', fields.ForeignKeyField('models.Account', source_field='buyer_id', db_constraint=True, to_field='id', related_name='quotes', on_delete=OnDelete.RESTRICT)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='quotes', on_delete=OnDelete.SET_NULL)),
                ('seller', fields.ForeignKeyField('models.Seller', source_field='seller_id', db_constraint=True, to_field='id', related_name='quotes', on_delete=OnDelete.RESTRICT)),
                ('remark', fields.TextField(null=True, unique=False)),
                ('seller_message', fields.TextField(null=True, unique=False)),
                ('respond_by', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', null=True, unique=True, db_constraint=True, to_field='id', related_name='quotes', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quote', 'app': 'models', 'indexes': [Index(fields=['buyer_id', 'id'], name='quote_by_buyer'), Index(fields=['seller_id', 'id'], name='quote_by_seller'), Index(fields=['company_id', 'id'], name='quote_by_company'), Index(fields=['status', 'valid_until'], name='quote_by_validity')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuoteLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('quote', fields.ForeignKeyField('models.Quote', source_field='quote_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', null=True, db_constraint=True, to_field='id', related_name='quote_lines', on_delete=OnDelete.SET_NULL)),
                ('product_ref', fields.IntField()),
                ('product_name', fields.CharField(max_length=200)),
            ],
            options={'table': 'quote_line', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuoteList',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('buyer', fields.OneToOneField('models.Account', source_field='buyer_id', db_constraint=True, to_field='id', related_name='quote_list', on_delete=OnDelete.CASCADE)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quote_list', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The buyer\'s "liste d\'offres" being built: one per buyer, like the cart.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuoteListLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('quote_list', fields.ForeignKeyField('models.QuoteList', source_field='quote_list_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='quote_list_lines', on_delete=OnDelete.CASCADE)),
                ('quantities', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'quote_list_line', 'app': 'models', 'unique_together': (('quote_list', 'product'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuoteStatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('quote', fields.ForeignKeyField('models.Quote', source_field='quote_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='REQUESTED: REQUESTED\nOFFERED: OFFERED\nACCEPTED: ACCEPTED\nREFUSED: REFUSED\nDECLINED: DECLINED\nEXPIRED: EXPIRED', enum_type=QuoteStatus, max_length=12)),
                ('to_status', fields.CharEnumField(description='REQUESTED: REQUESTED\nOFFERED: OFFERED\nACCEPTED: ACCEPTED\nREFUSED: REFUSED\nDECLINED: DECLINED\nEXPIRED: EXPIRED', enum_type=QuoteStatus, max_length=12)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_role', fields.CharEnumField(null=True, description='BUYER: BUYER\nSELLER: SELLER\nADMIN: ADMIN', enum_type=Role, max_length=8)),
                ('actor_account_id', fields.IntField(null=True)),
                ('reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'quote_status_change', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuoteTier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('line', fields.ForeignKeyField('models.QuoteLine', source_field='line_id', db_constraint=True, to_field='id', related_name='tiers', on_delete=OnDelete.CASCADE)),
                ('quantity', fields.IntField()),
                ('unit_price', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
            ],
            options={'table': 'quote_tier', 'app': 'models', 'unique_together': (('line', 'quantity'),), 'pk_attr': 'id', 'table_description': 'One requested quantity of a line and, once offered, its unit price.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Event',
            name='kind',
            field=fields.CharEnumField(description='ORDER_STATUS: ORDER_STATUS\nMESSAGE: MESSAGE\nSESSION_REVOKED: SESSION_REVOKED\nQUOTE_STATUS: QUOTE_STATUS', enum_type=EventKind, max_length=20),
        ),
        ops.AddField(
            model_name='Event',
            name='quote_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Event',
            index=Index(fields=['quote_id', 'id']),
        ),
    ]
