"""Who a user is in the organisation (policing.scope), checked on the world."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from policing.scope import Role, forget_scope, scope_of
from stations.models import Assignment, Person, Post
from stations.tests.factories import (
    AssignmentFactory,
    PersonFactory,
    PostFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def fresh(user):
    """Return a new object for ``user``, as the next request would load it."""
    return get_user_model().objects.get(pk=user.pk)


def grid_ids(world, names):
    return frozenset(world.grids[name].pk for name in names)


def test_role_of_every_principal(world):
    """Each principal of the world gets the role its description gives."""
    for name, (role, _bureau, _station, _grids) in world.principals.items():
        assert scope_of(world.users[name]).role == Role(role), name


def test_bureau_and_station_of_every_principal(world):
    """Staff principals are placed in the bureau and station of the description."""
    for name, (role, bureau, station, _grids) in world.principals.items():
        if role in ("none", "superuser"):
            continue
        scope = scope_of(world.users[name])
        assert scope.bureau_id == world.bureaus[bureau].pk, name
        expected_station = world.stations[station].pk if station else None
        assert scope.station_id == expected_station, name
        assert scope.person_id == world.persons[name].pk, name


def test_field_staff_grid_ids_match_the_description(world):
    """Field staff work in exactly the grids of the description."""
    field = {n: p for n, p in world.principals.items() if p[0] == "field"}
    assert field  # the world has field staff
    for name, (_role, _bureau, _station, grids) in field.items():
        assert scope_of(world.users[name]).grid_ids == grid_ids(world, grids), name


def test_officer_a_works_in_grid_a(world):
    """Officer A's grids are {grid A}."""
    assert scope_of(world.users["officer_a"]).grid_ids == {world.grids["A"].pk}


def test_unauthenticated_and_missing_user_have_no_scope():
    """Anonymous users and None have role none."""
    assert scope_of(None).role is Role.NONE
    assert scope_of(AnonymousUser()).role is Role.NONE


def test_ended_assignment_removes_the_grid(world):
    """An assignment that ended yesterday no longer gives its grid."""
    user = world.users["officer_a"]
    assert scope_of(user).grid_ids == {world.grids["A"].pk}
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Assignment.objects.filter(person=world.persons["officer_a"]).update(end=yesterday)

    forget_scope(user)

    assert scope_of(user).grid_ids == frozenset()
    assert scope_of(user).role is Role.FIELD


def test_assignment_ending_today_still_counts(world):
    """The end day is inclusive: an assignment ending today still gives its grid."""
    user = world.users["officer_a"]
    today = timezone.localdate()
    Assignment.objects.filter(person=world.persons["officer_a"]).update(end=today)
    forget_scope(user)
    assert scope_of(user).grid_ids == {world.grids["A"].pk}


def test_future_assignment_does_not_count_yet(world):
    """An assignment that starts tomorrow does not give its grid today."""
    user = world.users["officer_b"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    AssignmentFactory(
        person=world.persons["officer_b"],
        grid=world.grids["A"],
        role=Assignment.Role.ASSISTANT,
        start=tomorrow,
    )
    forget_scope(user)
    assert scope_of(user).grid_ids == {world.grids["B"].pk}


def test_scope_is_cached_until_forgotten(world):
    """The scope is computed once per user object; forget_scope recomputes it."""
    user = world.users["officer_a"]
    before = scope_of(user)
    Assignment.objects.filter(person=world.persons["officer_a"]).delete()
    assert scope_of(user) == before
    assert scope_of(fresh(user)).grid_ids == frozenset()
    forget_scope(user)
    assert scope_of(user).grid_ids == frozenset()


def test_post_assignment_gives_the_grids_of_served_areas(world):
    """A post assignment adds the grids of the areas the post serves."""
    post = PostFactory(station=world.stations["S"], kind=Post.Kind.WORKSTATION)
    post.serves.set([world.areas["B"]])
    AssignmentFactory(
        person=world.persons["officer_a"], post=post, role=Assignment.Role.ASSISTANT
    )
    user = world.users["officer_a"]
    forget_scope(user)
    assert scope_of(user).grid_ids == grid_ids(world, {"A", "B"})


def test_post_assignment_alone_gives_the_served_grids(world):
    """A person assigned only to a post works in the grids its areas hold."""
    user = UserFactory(username="post_officer")
    person = PersonFactory(station=world.stations["S"], user=user)
    AssignmentFactory(person=person, post=world.posts["S"])
    assert scope_of(user).role is Role.FIELD
    assert scope_of(user).grid_ids == grid_ids(world, {"A", "B"})


def test_deactivated_user_has_no_scope(world):
    """A login deactivated after the fact has role none on the next request."""
    user = world.users["officer_a"]
    assert scope_of(user).role is Role.FIELD
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert scope_of(fresh(user)).role is Role.NONE


def test_world_deactivated_login_has_no_scope(world):
    """The world's deactivated login with a staff record has role none."""
    assert Person.objects.filter(user=world.users["deactivated"]).exists()
    assert scope_of(world.users["deactivated"]).role is Role.NONE
