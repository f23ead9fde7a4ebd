from policing.viewsets import ScopedModelViewSet
from stations.filtersets import (
    AssignmentFilterSet,
    BureauFilterSet,
    PersonFilterSet,
    PostFilterSet,
    StationFilterSet,
)
from stations.models import Assignment, Bureau, Person, Post, Station
from stations.serializers import (
    AssignmentSerializer,
    BureauSerializer,
    PersonSerializer,
    PostSerializer,
    StationSerializer,
)


class BureauViewSet(ScopedModelViewSet):
    queryset = Bureau.objects.all()
    serializer_class = BureauSerializer
    filterset_class = BureauFilterSet


class StationViewSet(ScopedModelViewSet):
    queryset = Station.objects.all()
    serializer_class = StationSerializer
    filterset_class = StationFilterSet


class PostViewSet(ScopedModelViewSet):
    queryset = Post.objects.prefetch_related("serves")
    serializer_class = PostSerializer
    filterset_class = PostFilterSet


class PersonViewSet(ScopedModelViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet


class AssignmentViewSet(ScopedModelViewSet):
    queryset = Assignment.objects.all()
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
