#!/usr/bin/env bash
# Rebuild the dashboards' ECharts bundle from npm (the result is committed,
# so neither Node nor npm is needed to run or test the project).
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent
npx esbuild entry.js --bundle --minify --format=iife --legal-comments=eof \
  --outfile=../../static/vendor/echarts/echarts.custom.min.js
gzip -9 -c ../../static/vendor/echarts/echarts.custom.min.js | wc -c \
  | xargs printf 'echarts.custom.min.js: %s bytes gzipped\n'
