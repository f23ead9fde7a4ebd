"""Hand-written PostgreSQL for the figures the city benchmark times.

Each statement computes the same answer as a hot path of the application,
written the way a database engineer would write it by hand: one statement,
set-based, with no ORM in between. The benchmark times them on the same
database in the same run, and checks that they agree with the application's
figures, so the ratio it prints is a ratio between equal answers.
"""

#: SPEC §3 weekly quota figures of a set of persons (``{persons}`` selects
#: their ids): distinct households visited, info items, patrol time clipped
#: to the week, and days worked in a grid the person was assigned to that day
#: (directly or through a post serving the grid's area).
WEEKLY_QUOTAS = """
WITH persons AS ({persons}),
week_visits AS (
    SELECT person_id, grid_id, household_id, info_items, visited_at
    FROM visits_visit
    WHERE person_id = ANY (ARRAY (SELECT id FROM persons))
      AND visited_at >= %(start)s AND visited_at < %(end)s
),
week_patrols AS (
    SELECT person_id, grid_id,
           GREATEST(started_at, %(start)s) AS clipped_start,
           LEAST(COALESCE(ended_at, %(now)s), %(end)s) AS clipped_end
    FROM visits_patrol
    WHERE person_id = ANY (ARRAY (SELECT id FROM persons))
      AND started_at < %(end)s AND (ended_at > %(start)s OR ended_at IS NULL)
),
visit_totals AS (
    SELECT person_id, count(DISTINCT household_id) AS households,
           sum(info_items) AS info_items
    FROM week_visits GROUP BY person_id
),
patrol_totals AS (
    SELECT person_id, sum(clipped_end - clipped_start) AS patrol_time
    FROM week_patrols WHERE clipped_end > clipped_start GROUP BY person_id
),
worked AS (
    SELECT person_id, grid_id, (visited_at AT TIME ZONE %(tz)s)::date AS day
    FROM week_visits
    UNION
    SELECT person_id, grid_id, (clipped_start AT TIME ZONE %(tz)s)::date
    FROM week_patrols WHERE clipped_end > clipped_start
),
grid_days AS (
    SELECT w.person_id, count(DISTINCT w.day) AS days
    FROM worked w JOIN grids_grid g ON g.id = w.grid_id
    WHERE EXISTS (
        SELECT 1 FROM stations_assignment a
        LEFT JOIN stations_post_serves s ON s.post_id = a.post_id
        WHERE a.person_id = w.person_id
          AND a.start <= w.day AND (a."end" IS NULL OR a."end" >= w.day)
          AND (a.grid_id = w.grid_id OR s.area_id = g.area_id)
    )
    GROUP BY w.person_id
)
SELECT p.id,
       COALESCE(v.households, 0),
       COALESCE(v.info_items, 0),
       ROUND(COALESCE(EXTRACT(EPOCH FROM t.patrol_time), 0) / 3600, 2),
       COALESCE(d.days, 0)
FROM persons p
LEFT JOIN visit_totals v ON v.person_id = p.id
LEFT JOIN patrol_totals t ON t.person_id = p.id
LEFT JOIN grid_days d ON d.person_id = p.id
"""

PERSONS_OF_STATION = "SELECT id FROM stations_person WHERE station_id = %(station)s"
PERSONS_OF_BUREAU = "SELECT id FROM stations_person WHERE bureau_id = %(bureau)s"

#: SPEC §3 coverage counts of a set of stations (``{stations}``), judged on
#: ``today``: numerators and denominators of the five rates.
COVERAGE = """
WITH stations AS ({stations}),
current_assignments AS (
    SELECT * FROM stations_assignment
    WHERE start <= %(today)s AND ("end" IS NULL OR "end" >= %(today)s)
),
areas AS (
    SELECT a.kind,
           bool_or(p.kind = 'community_office') AS community_office,
           bool_or(p.kind = 'rural_office') AS rural_office,
           bool_or(p.kind = 'workstation') AS workstation
    FROM grids_area a
    LEFT JOIN stations_post_serves s ON s.area_id = a.id
    LEFT JOIN stations_post p ON p.id = s.post_id
    WHERE a.station_id IN (SELECT id FROM stations)
    GROUP BY a.id, a.kind
),
grids AS (
    SELECT g.id, EXISTS (
        SELECT 1 FROM current_assignments c
        JOIN stations_person p ON p.id = c.person_id
        WHERE c.grid_id = g.id AND c.role = 'responsible' AND p.kind = 'officer'
    ) AS has_officer
    FROM grids_grid g JOIN grids_area a ON a.id = g.area_id
    WHERE a.station_id IN (SELECT id FROM stations)
),
officers AS (
    SELECT p.id, EXISTS (
        SELECT 1 FROM current_assignments c
        WHERE c.person_id = p.id AND c.post_id IS NOT NULL
    ) AS at_post
    FROM stations_person p
    WHERE p.kind = 'officer' AND p.station_id IN (SELECT id FROM stations)
)
SELECT
    (SELECT count(*) FROM areas WHERE kind = 'community'),
    (SELECT count(*) FROM areas WHERE kind = 'community' AND community_office),
    (SELECT count(*) FROM areas WHERE kind = 'village'),
    (SELECT count(*) FROM areas WHERE kind = 'village' AND rural_office),
    (SELECT count(*) FROM areas WHERE kind = 'village' AND workstation),
    (SELECT count(*) FROM grids),
    (SELECT count(*) FROM grids WHERE has_officer),
    (SELECT count(*) FROM officers),
    (SELECT count(*) FROM officers WHERE at_post)
"""

STATION = "SELECT id FROM stations_station WHERE id = %(station)s"
STATIONS_OF_BUREAU = "SELECT id FROM stations_station WHERE bureau_id = %(bureau)s"

#: The 14 per-person aggregates of the monthly assessment (docs/metrics.md,
#: "Monthly assessment") of every assessed person of a bureau. Figures about
#: grids are per grid first, then summed over each person's distinct grids:
#: every household, resident, case and dispute lies in exactly one grid.
MONTHLY_ASSESSMENT = """
WITH grid_assignments AS (
    SELECT DISTINCT a.person_id, a.grid_id
    FROM stations_assignment a JOIN stations_person p ON p.id = a.person_id
    WHERE a.grid_id IS NOT NULL
      AND a.start <= %(last_day)s AND (a."end" IS NULL OR a."end" >= %(first_day)s)
      AND p.bureau_id = %(bureau)s AND p.station_id IS NOT NULL AND NOT p.is_chief
),
persons AS (SELECT DISTINCT person_id AS id FROM grid_assignments),
grids AS (SELECT DISTINCT grid_id AS id FROM grid_assignments),
households AS (
    SELECT grid_id, count(*) AS n FROM grids_household
    WHERE grid_id IN (SELECT id FROM grids) GROUP BY grid_id
),
residents AS (
    SELECT h.grid_id, count(*) AS n
    FROM grids_resident r JOIN grids_household h ON h.id = r.household_id
    WHERE h.grid_id IN (SELECT id FROM grids) GROUP BY h.grid_id
),
cases AS (
    SELECT grid_id, count(*) AS n FROM cases_case
    WHERE reported_at >= %(start)s AND reported_at < %(end)s
      AND grid_id IN (SELECT id FROM grids)
    GROUP BY grid_id
),
dispute_endings AS (
    SELECT d.grid_id,
           count(DISTINCT e.dispute_id)
               FILTER (WHERE e.kind IN ('resolved', 'referred', 'failed')) AS ended,
           count(DISTINCT e.dispute_id) FILTER (WHERE e.kind = 'resolved') AS resolved
    FROM disputes_disputeevent e JOIN disputes_dispute d ON d.id = e.dispute_id
    WHERE e.at >= %(start)s AND e.at < %(end)s AND d.grid_id IN (SELECT id FROM grids)
    GROUP BY d.grid_id
),
case_endings AS (
    SELECT c.grid_id,
           count(DISTINCT e.case_id)
               FILTER (WHERE e.kind IN ('solved', 'dropped')) AS concluded,
           count(DISTINCT e.case_id) FILTER (WHERE e.kind = 'solved') AS solved
    FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
    WHERE e.at >= %(start)s AND e.at < %(end)s AND c.grid_id IN (SELECT id FROM grids)
    GROUP BY c.grid_id
),
return_visits AS (
    SELECT d.grid_id, count(*) AS n,
           count(*) FILTER (WHERE r.satisfaction >= 4) AS satisfied
    FROM disputes_returnvisit r JOIN disputes_dispute d ON d.id = r.dispute_id
    WHERE r.visited_at >= %(start)s AND r.visited_at < %(end)s
      AND d.grid_id IN (SELECT id FROM grids)
    GROUP BY d.grid_id
),
per_person_grids AS (
    SELECT ga.person_id,
           sum(COALESCE(h.n, 0)) AS households,
           sum(COALESCE(r.n, 0)) AS residents,
           sum(COALESCE(c.n, 0)) AS cases,
           sum(COALESCE(de.ended, 0)) AS disputes_ended,
           sum(COALESCE(de.resolved, 0)) AS disputes_resolved,
           sum(COALESCE(ce.concluded, 0)) AS cases_concluded,
           sum(COALESCE(ce.solved, 0)) AS cases_solved,
           sum(COALESCE(rv.n, 0)) AS return_visits,
           sum(COALESCE(rv.satisfied, 0)) AS return_visits_satisfied
    FROM grid_assignments ga
    LEFT JOIN households h ON h.grid_id = ga.grid_id
    LEFT JOIN residents r ON r.grid_id = ga.grid_id
    LEFT JOIN cases c ON c.grid_id = ga.grid_id
    LEFT JOIN dispute_endings de ON de.grid_id = ga.grid_id
    LEFT JOIN case_endings ce ON ce.grid_id = ga.grid_id
    LEFT JOIN return_visits rv ON rv.grid_id = ga.grid_id
    GROUP BY ga.person_id
),
patrols AS (
    SELECT person_id,
           sum(LEAST(COALESCE(ended_at, %(now)s), %(end)s)
               - GREATEST(started_at, %(start)s)) AS patrol_time
    FROM visits_patrol
    WHERE person_id IN (SELECT id FROM persons) AND started_at < %(end)s
      AND LEAST(COALESCE(ended_at, %(now)s), %(end)s) > GREATEST(started_at, %(start)s)
    GROUP BY person_id
),
info AS (
    SELECT person_id, sum(info_items) AS n FROM visits_visit
    WHERE person_id IN (SELECT id FROM persons)
      AND visited_at >= %(start)s AND visited_at < %(end)s
    GROUP BY person_id
),
visited AS (
    SELECT v.person_id, count(DISTINCT v.household_id) AS n
    FROM visits_visit v
    JOIN grids_household h ON h.id = v.household_id
    JOIN grid_assignments ga ON ga.person_id = v.person_id AND ga.grid_id = h.grid_id
    WHERE v.visited_at >= %(known_since)s AND v.visited_at < %(end)s
    GROUP BY v.person_id
),
ratings AS (
    SELECT officer_id, count(*) AS n, count(*) FILTER (WHERE score >= 4) AS satisfied
    FROM cases_rating
    WHERE created_at >= %(start)s AND created_at < %(end)s
      AND officer_id IN (SELECT id FROM persons)
    GROUP BY officer_id
)
SELECT p.id,
       COALESCE(pt.patrol_time, interval '0'),
       COALESCE(i.n, 0),
       g.households,
       COALESCE(vd.n, 0),
       g.cases,
       g.residents,
       g.disputes_ended,
       g.disputes_resolved,
       g.cases_concluded,
       g.cases_solved,
       COALESCE(ra.n, 0),
       COALESCE(ra.satisfied, 0),
       g.return_visits,
       g.return_visits_satisfied
FROM persons p
JOIN per_person_grids g ON g.person_id = p.id
LEFT JOIN patrols pt ON pt.person_id = p.id
LEFT JOIN info i ON i.person_id = p.id
LEFT JOIN visited vd ON vd.person_id = p.id
LEFT JOIN ratings ra ON ra.officer_id = p.id
"""

#: The phone form's household typeahead: the first page of the households
#: of the user's grids whose address or a resident's name contains the text,
#: and their count (the page's ``count``).
TYPEAHEAD_PAGE = """
SELECT h.id, h.address FROM grids_household h
WHERE h.grid_id = ANY(%(grids)s)
  AND (h.address LIKE %(pattern)s OR EXISTS (
      SELECT 1 FROM grids_resident r
      WHERE r.household_id = h.id AND r.name LIKE %(pattern)s))
ORDER BY h.grid_id, h.address LIMIT 10
"""
TYPEAHEAD_COUNT = """
SELECT count(*) FROM grids_household h
WHERE h.grid_id = ANY(%(grids)s)
  AND (h.address LIKE %(pattern)s OR EXISTS (
      SELECT 1 FROM grids_resident r
      WHERE r.household_id = h.id AND r.name LIKE %(pattern)s))
"""

#: One field visit, as the API stores it.
INSERT_VISIT = """
INSERT INTO visits_visit
    (notes, client_uuid, created_at, visited_at, kind, info_items, grid_id,
     household_id, person_id)
VALUES ('benchmark', %(uuid)s, now(), now(), %(kind)s, 1, %(grid)s, %(household)s,
        %(person)s)
"""
