from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='ProductWord',
            name='word_lookup',
            fields=None,
        ),
        ops.AddIndex(
            model_name='ProductWord',
            index=Index(fields=['word', 'sort_name', 'product_id', 'price_cents', 'category', 'seller_id'], name='word_lookup'),
        ),
    ]
