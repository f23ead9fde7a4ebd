#!/usr/bin/env bash
# The API fuzz at full size: 100 generated cases per operation (about 12,900
# requests, every operation of /api/schema/), on PostgreSQL. CI sends 25 per
# operation (.ci/run); this is the run to make before a release, or after a
# change to the API's input handling. About 5 minutes on 2 cores.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/policing bash benchmarks/fuzz.sh
#
# FUZZ_EXAMPLES, FUZZ_SEED and FUZZ_PHASES (tests/integration/test_api_fuzz.py)
# may be set to change the size, the seed or add the coverage phase.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database}"
FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-100}" .venv/bin/pytest \
  tests/integration/test_api_fuzz.py --create-db "$@"
