from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` pages (SPEC §4).

    ``page_size`` is capped so that a single call cannot pull a whole table.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
