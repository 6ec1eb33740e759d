from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_claims_refunds_uploads')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Product',
            name='standing',
            field=fields.SmallIntField(default=25),
        ),
        ops.AddIndex(
            model_name='Product',
            index=Index(fields=['standing', 'id'], name='product_by_standing'),
        ),
        ops.AddField(
            model_name='ProductWord',
            name='standing',
            field=fields.SmallIntField(default=25),
        ),
        ops.AddIndex(
            model_name='ProductWord',
            index=Index(fields=['word', 'standing', 'product_id', 'price_cents', 'category', 'seller_id'], name='word_relevance'),
        ),
        ops.AddField(
            model_name='Seller',
            name='listed_standing',
            field=fields.SmallIntField(default=25),
        ),
        ops.AddField(
            model_name='Seller',
            name='rated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Seller',
            name='rating',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Seller',
            name='standing',
            field=fields.SmallIntField(default=25),
        ),
        ops.AddIndex(
            model_name='Seller',
            index=Index(fields=['rated_at'], name='seller_rated_at'),
        ),
    ]
