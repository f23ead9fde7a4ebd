#!/usr/bin/env bash
# Lighthouse page weight and scores of the four pages people open most, served
# as in production: DEBUG off, collectstatic into hashed and compressed files,
# gunicorn with whitenoise, on a fresh SQLite file holding the demo county.
#
# Pages: /field/ and /field/visits/new/ (as the demo officer), the station
# dashboard /stations/<pk>/ (as the demo chief) and /county/ (as the demo
# bureau login), each with Lighthouse's default (mobile) configuration; the
# two dashboards also with the desktop preset.
#
# Run from a checkout whose virtualenv is installed (pip install -e '.[test]'):
#
#     benchmarks/lighthouse.sh                  # this checkout
#     benchmarks/lighthouse.sh /path/to/other   # another checkout, e.g. an
#                                               # older commit in a worktree
#
# Needs: Node.js with npm, a Chromium or Chrome (CHROME_PATH, default
# /usr/bin/chromium). Lighthouse 12 is installed into a temporary directory
# (or LIGHTHOUSE_DIR, kept between runs if given); nothing is added to the
# project. Environment knobs: PYTHON (default <checkout>/.venv/bin/python),
# PORT (default 8765), OUT (where the JSON reports go; default a temp dir).
# Prints a Markdown table: the four category scores, total bytes transferred,
# LCP, the render-blocking resources and whether text compression is flagged.
# The server and the temporary files are removed on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$(cd "${1:-$HERE}" && pwd)"
PYTHON="${PYTHON:-$PROJECT/.venv/bin/python}"
PORT="${PORT:-8765}"
CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
WORK="$(mktemp -d -t lighthouse.XXXXXX)"
OUT="${OUT:-$(mktemp -d -t lighthouse-reports.XXXXXX)}"
LIGHTHOUSE_DIR="${LIGHTHOUSE_DIR:-$WORK/npm}"
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Production settings. The secrets are throwaway values for this run; plain
# HTTP on localhost needs the HTTPS redirect and HSTS off (the project's own
# switches). Secure cookies do not matter: Lighthouse sends the session in a
# Cookie header of its own.
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="lighthouse-$(date +%s)-$RANDOM$RANDOM"
export FIELD_ENCRYPTION_KEYS="$("$PYTHON" -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
export FIELD_HASH_KEY="lighthouse-hash-$RANDOM$RANDOM"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_SECURE_HSTS_SECONDS=0
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
unset CELERY_BROKER_URL DJANGO_CACHE_URL LEAFLET_TILES_URL

cd "$PROJECT"
mkdir -p "$OUT"
echo "== $(git -C "$PROJECT" rev-parse --short HEAD 2>/dev/null || echo '?') in $PROJECT" >&2

echo "-- installing Lighthouse 12 into $LIGHTHOUSE_DIR" >&2
mkdir -p "$LIGHTHOUSE_DIR"
if [ ! -x "$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse" ]; then
    (cd "$LIGHTHOUSE_DIR" && npm init -y >/dev/null \
        && npm install --no-audit --no-fund --silent lighthouse@12 >/dev/null)
fi
LIGHTHOUSE="$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse"

echo "-- migrate, load the demo county, collectstatic" >&2
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py load_demo -v0
# collectstatic into a temporary STATIC_ROOT would need a settings change;
# the checkout's staticfiles/ (ignored by git) is what the Dockerfile builds.
"$PYTHON" manage.py collectstatic --noinput --clear -v0

echo "-- gunicorn on $BASE" >&2
"$PYTHON" -m gunicorn policing.wsgi --bind "127.0.0.1:$PORT" --workers 3 \
    --log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 60); do
    if "$PYTHON" -c "
import urllib.error, urllib.request
try:
    urllib.request.urlopen('$BASE/', timeout=2)
except urllib.error.HTTPError:
    pass" 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER_PID" || { cat "$WORK/gunicorn.log" >&2; exit 1; }
    sleep 1
done

# One logged-in session per demo login, made the way a login makes it
# (force_login fires user_logged_in, which stamps the login time).
SESSIONS="$("$PYTHON" manage.py shell -c '
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
for name in ("officer", "chief", "bureau"):
    client = Client()
    client.force_login(get_user_model().objects.get(username=name))
    print(name, client.cookies[settings.SESSION_COOKIE_NAME].value)
')"
cookie() { echo "$SESSIONS" | awk -v n="$1" '$1 == n {print "sessionid=" $2}'; }

# The chief's station: /stations/ redirects there.
STATION_PATH="$("$PYTHON" - "$BASE/stations/" "$(cookie chief)" <<'PY'
import sys, urllib.error, urllib.parse, urllib.request
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
opener = urllib.request.build_opener(NoRedirect)
request = urllib.request.Request(sys.argv[1], headers={"Cookie": sys.argv[2]})
try:
    opener.open(request)
except urllib.error.HTTPError as error:
    print(urllib.parse.urlsplit(error.headers["Location"]).path)
PY
)"
[ -n "$STATION_PATH" ] || { echo "no station page for the demo chief" >&2; exit 1; }

run() {  # name login path preset
    local name=$1 login=$2 path=$3 preset=$4
    local args=()
    [ "$preset" = desktop ] && args+=(--preset=desktop)
    echo "-- lighthouse $name ($preset) $path" >&2
    CHROME_PATH="$CHROME_PATH" "$LIGHTHOUSE" "$BASE$path" "${args[@]}" \
        --chrome-flags="--headless=new --no-sandbox" \
        --extra-headers="{\"Cookie\": \"$(cookie "$login")\"}" \
        --output=json --output-path="$OUT/$name-$preset.json" --quiet
}
run field officer /field/ mobile
run visit-form officer /field/visits/new/ mobile
run station chief "$STATION_PATH" mobile
run station chief "$STATION_PATH" desktop
run county bureau /county/ mobile
run county bureau /county/ desktop

"$PYTHON" - "$OUT" <<'PY'
import json, pathlib, sys
from urllib.parse import urlsplit

out = pathlib.Path(sys.argv[1])
order = ["field-mobile", "visit-form-mobile", "station-mobile", "station-desktop",
         "county-mobile", "county-desktop"]
print("| page | preset | perf | a11y | best pr. | SEO | bytes (KiB) | LCP (s) | render-blocking | text compression |")
print("|---|---|--:|--:|--:|--:|--:|--:|---|---|")
notes = []
for key in order:
    report = json.loads((out / f"{key}.json").read_text())
    page, preset = key.rsplit("-", 1)
    if report.get("runtimeError"):
        print(f"| {page} | {preset} | error: {report['runtimeError'].get('code')} |")
        continue
    if urlsplit(report["finalDisplayedUrl"]).path != urlsplit(report["requestedUrl"]).path:
        notes.append(f"{key}: ended on {report['finalDisplayedUrl']}")
    cats = report["categories"]
    audits = report["audits"]
    score = lambda c: "–" if cats[c]["score"] is None else round(cats[c]["score"] * 100)
    blocking = [item["url"].rsplit("/", 1)[-1]
                for item in (audits["render-blocking-resources"].get("details") or {}).get("items", [])]
    compression = audits["uses-text-compression"]
    flagged = compression["score"] is not None and compression["score"] < 1
    print(f"| {page} | {preset} | {score('performance')} | {score('accessibility')} "
          f"| {score('best-practices')} | {score('seo')} "
          f"| {audits['total-byte-weight']['numericValue'] / 1024:.0f} "
          f"| {audits['largest-contentful-paint']['numericValue'] / 1000:.1f} "
          f"| {', '.join(blocking) or 'none'} | {'flagged' if flagged else 'ok'} |")
    failing = [a["id"] for a in audits.values()
               if a.get("score") is not None and a["score"] < 0.9
               and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
    notes.append(f"{key}: below 0.9: {', '.join(sorted(failing)) or 'none'}")
print()
for note in notes:
    print(f"- {note}")
PY
echo "(reports in $OUT)" >&2
