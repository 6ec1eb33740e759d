from tortoise import migrations
from tortoise.migrations import operations as ops
from models.mail import MailPriority
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_standing')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='OutboxMail',
            name='next_attempt_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='OutboxMail',
            name='sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutboxMail',
            name='priority',
            field=fields.IntEnumField(default=MailPriority.NOTIFICATION, description='ACCOUNT: 0\nNOTIFICATION: 1', enum_type=MailPriority, generated=False),
        ),
        ops.AddIndex(
            model_name='OutboxMail',
            index=Index(fields=['sent_at', 'priority', 'next_attempt_at', 'id']),
        ),
    ]
