# The ledger models, moved here from grids with their tables
# (grids/migrations/0012_ledgers_moved_to_their_own_app.py). The tables, their
# index and LedgerExport's append-only trigger were made by grids' migrations
# 0004-0011 and keep their names (db_table; the trigger keeps its pgid, see
# ledgers.models.Protect): this migration takes the models into the state only
# and changes nothing in the database.

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grids', '0012_ledgers_moved_to_their_own_app'),
        ('stations', '0005_append_only_audit_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LedgerExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('entity', models.CharField(choices=[('grids', 'grids and areas (GeoJSON)'), ('posts', 'posts'), ('staff', 'staff and their postings'), ('households', 'households'), ('residents', 'residents')], max_length=20, verbose_name='records')),
                        ('format', models.CharField(max_length=10, verbose_name='format')),
                        ('rows', models.PositiveIntegerField(verbose_name='rows')),
                        ('ids_revealed', models.BooleanField(default=False, verbose_name='national IDs in full')),
                        ('full_phones', models.BooleanField(default=False, verbose_name='phones in full')),
                        ('exported_at', models.DateTimeField(auto_now_add=True, verbose_name='exported at')),
                        ('exported_by', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='exported by')),
                    ],
                    options={
                        'verbose_name': 'ledger export',
                        'verbose_name_plural': 'ledger exports',
                        'db_table': 'grids_ledgerexport',
                        'ordering': ['-exported_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='LedgerImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('entity', models.CharField(choices=[('grids', 'grids and areas (GeoJSON)'), ('posts', 'posts'), ('staff', 'staff and their postings'), ('households', 'households'), ('residents', 'residents')], max_length=20, verbose_name='records')),
                        ('file_name', models.CharField(max_length=200, verbose_name='file name')),
                        ('content', models.BinaryField(verbose_name='file')),
                        ('language', models.CharField(default='zh-hans', max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('queued', 'waiting to be checked'), ('checking', 'being checked'), ('checked', 'checked, ready to apply'), ('refused', 'has errors, nothing applied'), ('applying', 'being applied'), ('applied', 'applied'), ('failed', 'failed')], default='queued', max_length=10, verbose_name='status')),
                        ('totals', models.JSONField(blank=True, default=dict, verbose_name='totals')),
                        ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                        ('checked_at', models.DateTimeField(blank=True, null=True, verbose_name='checked at')),
                        ('applied_at', models.DateTimeField(blank=True, null=True, verbose_name='applied at')),
                        ('applied_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='applied by')),
                        ('bureau', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_imports', to='stations.bureau', verbose_name='bureau')),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                        ('station', models.ForeignKey(blank=True, help_text="The chief's station; empty for a bureau-wide import.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='ledger_imports', to='stations.station', verbose_name='station')),
                    ],
                    options={
                        'verbose_name': 'ledger import',
                        'verbose_name_plural': 'ledger imports',
                        'db_table': 'grids_ledgerimport',
                        'ordering': ['-requested_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='LedgerImportRow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField(verbose_name='row')),
                        ('action', models.CharField(choices=[('new', 'create'), ('update', 'update'), ('skip', 'unchanged'), ('invalid', 'error')], max_length=10, verbose_name='action')),
                        ('key', models.CharField(blank=True, max_length=200, verbose_name='record')),
                        ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                        ('ledger_import', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='ledgers.ledgerimport', verbose_name='import')),
                    ],
                    options={
                        'verbose_name': 'ledger import row',
                        'verbose_name_plural': 'ledger import rows',
                        'db_table': 'grids_ledgerimportrow',
                        'ordering': ['ledger_import', 'number'],
                    },
                ),
                pgtrigger.migrations.AddTrigger(
                    model_name='ledgerexport',
                    trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='bda54cb35b76c6111f08922abb84a243faa1fefd', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_51e2d', table='grids_ledgerexport', when='BEFORE')),
                ),
                migrations.AddIndex(
                    model_name='ledgerimportrow',
                    index=models.Index(fields=['ledger_import', 'action', 'number'], name='grids_ledge_ledger__a8f035_idx'),
                ),
            ],
            database_operations=[],
        ),
    ]
