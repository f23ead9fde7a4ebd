"""The dispute admin: scoped lists and a read-only timeline."""

import pytest

from disputes import workflow

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["superuser", "chief_s"])
def test_admin_pages_render(world, client, name):
    user = world.users[name]
    user.is_staff = True
    user.save()
    client.force_login(user)
    dispute = world.disputes["A"]
    workflow.accept(dispute, by=world.persons["officer_a"])
    listing = client.get("/admin/disputes/dispute/")
    assert listing.status_code == 200
    change = client.get(f"/admin/disputes/dispute/{dispute.pk}/change/")
    assert change.status_code == 200
    assert "accepted" in change.content.decode() or "已受理" in change.content.decode()


def test_admin_list_is_scoped(world, client):
    user = world.users["chief_s"]
    user.is_staff = True
    user.save()
    client.force_login(user)
    other = world.disputes["C"]
    response = client.get(f"/admin/disputes/dispute/{other.pk}/change/")
    assert response.status_code in (302, 404)
