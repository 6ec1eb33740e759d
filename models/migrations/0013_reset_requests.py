from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_deadline_backfill')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResetRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.TextField(unique=False)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reset_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A password reset asked for, not yet answered by the jobs runner.'},
            bases=['Model'],
        ),
    ]
