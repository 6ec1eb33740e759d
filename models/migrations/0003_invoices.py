from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.invoices import InvoiceKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_word_lookup_name_order')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='INVOICE: INVOICE\nCREDIT_NOTE: CREDIT_NOTE', enum_type=InvoiceKind, max_length=12)),
                ('seller', fields.ForeignKeyField('models.Seller', source_field='seller_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('year', fields.IntField()),
                ('sequence', fields.IntField()),
                ('number', fields.CharField(unique=True, max_length=40)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('buyer_id', fields.IntField()),
                ('company_id', fields.IntField(null=True)),
                ('refund_id', fields.IntField(null=True, unique=True)),
                ('corrects', fields.ForeignKeyField('models.Invoice', source_field='corrects_id', null=True, db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.RESTRICT)),
                ('seller_name', fields.CharField(max_length=200)),
                ('seller_vat_number', fields.CharField(null=True, max_length=32)),
                ('seller_address', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('buyer_name', fields.CharField(max_length=401)),
                ('buyer_company', fields.CharField(null=True, max_length=200)),
                ('buyer_vat_number', fields.CharField(null=True, max_length=32)),
                ('billing_line1', fields.CharField(max_length=200)),
                ('billing_line2', fields.CharField(null=True, max_length=200)),
                ('billing_postal_code', fields.CharField(max_length=16)),
                ('billing_city', fields.CharField(max_length=200)),
                ('billing_country', fields.CharField(max_length=2)),
                ('lines', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('vat', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('total_excluding_vat', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('total', fields.DecimalField(max_digits=12, decimal_places=2)),
            ],
            options={'table': 'invoice', 'app': 'models', 'unique_together': (('seller', 'year', 'sequence'),), 'indexes': [Index(fields=['seller_id', 'id'], name='invoice_by_seller'), Index(fields=['buyer_id', 'id'], name='invoice_by_buyer'), Index(fields=['company_id', 'id'], name='invoice_by_company')], 'pk_attr': 'id', 'table_description': 'An issued document, as it was when issued: every column is a snapshot, never updated.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seller', fields.ForeignKeyField('models.Seller', source_field='seller_id', db_constraint=True, to_field='id', related_name='invoice_counters', on_delete=OnDelete.RESTRICT)),
                ('year', fields.IntField()),
                ('prefix', fields.CharField(max_length=16)),
                ('last_sequence', fields.IntField(default=0)),
            ],
            options={'table': 'invoice_counter', 'app': 'models', 'unique_together': (('seller', 'year'),), 'pk_attr': 'id', 'table_description': 'The last number a seller used in a calendar year: invoices and credit notes share it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OrderLine',
            name='vat_rate',
            field=fields.DecimalField(null=True, max_digits=5, decimal_places=2),
        ),
        ops.AddField(
            model_name='Product',
            name='vat_rate',
            field=fields.DecimalField(null=True, max_digits=5, decimal_places=2),
        ),
    ]
