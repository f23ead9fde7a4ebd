# The content types of the moved models follow them from grids to ledgers, so
# that the permissions keyed by them (and the groups and users holding those,
# and the admin's log) stay attached. Runs again harmlessly; reversible. A
# fresh database has no content types yet: post_migrate creates them later
# under ledgers.

from django.db import migrations

MODELS = ["ledgerimport", "ledgerimportrow", "ledgerexport"]


def relabel(apps, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=new, model__in=MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label=old, model__in=MODELS).exclude(
        model__in=taken
    ).update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    relabel(apps, old="grids", new="ledgers")


def backwards(apps, schema_editor):
    relabel(apps, old="ledgers", new="grids")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('ledgers', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
