# The ledger models moved to the ledgers app (ledgers/migrations/0001_initial.py
# takes them into its state). Their tables stay where they are, under their
# names: the models leave this app's state only, and the database is untouched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('grids', '0011_phones_masked_in_exports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='LedgerImportRow'),
                migrations.DeleteModel(name='LedgerImport'),
                migrations.DeleteModel(name='LedgerExport'),
            ],
            database_operations=[],
        ),
    ]
