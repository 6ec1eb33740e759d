from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_outbox_priority')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AddressLockout',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('failed_logins', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'address_lockout', 'app': 'models', 'pk_attr': 'id', 'table_description': "Failed logins for an address that has no account, counted and locked as an account's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Throttle',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=300)),
                ('window_start', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'throttle', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Uses of one key (a client address and a rule, or a mail recipient) in its current window.'},
            bases=['Model'],
        ),
    ]
