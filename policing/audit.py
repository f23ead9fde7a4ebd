"""The audit trail: every write to a domain table, recorded by database trigger."""

import pghistory


def audited(model=None, *, model_name=None, related_name=None):
    """Record every insert, update and delete of ``model`` by database trigger.

    Triggers catch what model signals miss (``update()``, bulk writes, raw
    SQL); they exist on PostgreSQL only (see README, "Audit"). Called with
    keywords, name the audit model (default ``<Model>Event``) and its reverse
    relation (default ``events``) where the defaults would clash with the
    app's own models.
    """
    trackers = (
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
    )
    options = {}
    if model_name is not None:
        options["model_name"] = model_name
    if related_name is not None:
        options["obj_field"] = pghistory.ObjForeignKey(related_name=related_name)
    track = pghistory.track(*trackers, **options)
    return track if model is None else track(model)


def audited_links(model):
    """Record every link added to or removed from a many-to-many field.

    ``model`` is a proxy of the field's auto-created through model. ``add()``,
    ``remove()``, ``set()`` and ``clear()`` write only that table, so
    ``@audited`` on either side never sees them. The through model stays
    Django's own (the admin's widgets and the serializers' list writes need
    it); the proxy only gives the triggers a model that migrations know.
    An event names the two linked rows and has no ``pgh_obj``: the link row
    carries nothing else, and is gone once removed.
    """
    return pghistory.track(
        pghistory.InsertEvent("add"),
        pghistory.DeleteEvent("remove"),
        obj_field=None,
    )(model)
