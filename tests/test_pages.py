"""The pages the foundation serves: home, API docs, schema, admin."""

import re
from html import unescape

import pytest
from django.apps import apps

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    "stations/bureau",
    "stations/station",
    "stations/post",
    "stations/person",
    "stations/assignment",
    "grids/area",
    "grids/grid",
    "grids/household",
    "grids/resident",
]


def external_references(html: str) -> list[str]:
    """Return script, stylesheet and image addresses that leave the server."""
    return [
        url
        for url in re.findall(r'(?:src|href)="([^"]+)"', html)
        if re.match(r"^(https?:)?//", url)
    ]


def test_home_page_links_admin_and_api(client):
    """The home page answers in Chinese by default and links the admin and docs."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
    assert external_references(html) == []


def test_api_docs_are_served_offline(admin_client):
    """Swagger UI loads its assets from this server, not a CDN."""
    response = admin_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert external_references(html) == []


def test_schema_names_every_resource(admin_client):
    """The OpenAPI schema documents the SPEC §4 resources and the token endpoint."""
    response = admin_client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in ["bureaus", "stations", "posts", "areas", "grids", "persons"]:
        assert f"/api/v1/{resource}/" in paths
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/residents/lookup/" in paths


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_pages_render(world, client, model):
    """Every model has a working admin list, add and change page."""
    client.force_login(world.users["superuser"])
    pk = apps.get_model(model.replace("/", ".")).objects.values_list("pk", flat=True)[0]
    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(f"/admin/{model}/add/").status_code == 200
    assert client.get(f"/admin/{model}/{pk}/change/").status_code == 200


def test_grid_admin_draws_the_boundary_on_a_map(world, client):
    """The grid form carries Leaflet.draw and the stored GeoJSON."""
    client.force_login(world.users["superuser"])
    grid = world.grids["A"]
    html = client.get(f"/admin/grids/grid/{grid.pk}/change/").content.decode()
    assert "leaflet/draw/leaflet.draw.js" in html
    assert "L.GeometryField" in html
    assert '"type": "Polygon"' in unescape(html)
    assert (
        external_references(
            "".join(
                re.findall(r"<script[^>]*>", html) + re.findall(r"<link[^>]*>", html)
            )
        )
        == []
    )


def test_admin_saves_a_resident_with_an_encrypted_id(world, client):
    """The admin takes a clear ID and stores only its ciphertext and mask."""
    from grids.models import Resident
    from grids.tests.factories import valid_id_number

    client.force_login(world.users["superuser"])
    number = valid_id_number(777, birth="19850214")
    response = client.post(
        "/admin/grids/resident/add/",
        {
            "name": "王芳",
            "id_number": number,
            "phone": "13912345678",
            "household": world.households["A"].pk,
            "key_person_category": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    resident = Resident.objects.get(name="王芳")
    assert resident.id_number == f"{number[:6]}********{number[14:]}"
    assert number not in resident.id_number_encrypted
