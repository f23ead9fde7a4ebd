"""Monthly reports and the figures kept for them.

Apart from the assessment itself (``assessments.assessment``): the nightly
snapshots of quotas and coverage (``snapshots``) and their trends
(``trends_api``), the monthly report (``monthly``), its xlsx and PDF files
(``files``), the jobs that build them in the worker (``jobs``), and the API
and pages that serve them (``api``, ``views``).
"""
