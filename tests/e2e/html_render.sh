#!/usr/bin/env bash
# Renders fa32's HTML reports in headless Chromium: a replay page (of a
# generated trace long enough for the memory-over-time sampling to thin its
# points, with large blocks and leaks), a stats page of two traces and a
# bench page. For each, the DOM after the page's script ran must say that
# every chart was drawn with a non-zero size, and no script error may be
# logged; a screenshot must be written. A deliberately broken page checks
# that the checks can fail. Skipped (exit 77) only where Chromium cannot run.
#   html_render.sh FA32 EXAMPLES_DIR WORK_DIR [REAL_TRACE]
# REAL_TRACE (optional, by hand): also render replay and bench pages of it,
# e.g. a recorded trace of millions of events.
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
fa32=$1
examples=$2
work=$3
real=${4:-}
mkdir -p "$work"
rm -f "$work"/*.html "$work"/*.png "$work"/*.dom "$work"/*.log

browser=""
for b in chromium-headless-shell chromium chromium-browser google-chrome; do
  if command -v "$b" > /dev/null 2>&1; then
    browser=$(command -v "$b")
    break
  fi
done
if [ -z "$browser" ]; then
  echo "SKIPPED: no headless Chromium (scripts/install-deps.sh installs chromium-headless-shell)"
  exit 77
fi
# Root needs --no-sandbox; the full browser needs --headless, the shell is headless already.
flags=(--no-sandbox --disable-gpu --enable-logging=stderr --v=0 "--user-data-dir=$work/profile")
case "$(basename "$browser")" in
  chromium-headless-shell) ;;
  *) flags+=(--headless) ;;
esac
probe=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "data:text/html,<p>fa32-probe</p>" 2> "$work/probe.log")
if ! grep -q "fa32-probe" <<< "$probe"; then
  echo "SKIPPED: $browser cannot run here:"
  tail -5 "$work/probe.log"
  exit 77
fi

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# check_page NAME MIN_CHARTS: render NAME.html, check its DOM and screenshot.
check_page() {
  local name=$1 min=$2 page="$work/$1.html"
  if [ ! -s "$page" ]; then
    fail "$name: fa32 wrote no page"
    return
  fi
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" > "$work/$name.dom" 2> "$work/$name.log"
  timeout 120 "$browser" "${flags[@]}" --window-size=1100,1400 "--screenshot=$work/$name.png" "file://$page" \
    >> "$work/$name.log" 2>&1
  local charts drawn
  charts=$(grep -o 'data-charts="[0-9]*"' "$work/$name.dom" | grep -o '[0-9]*')
  drawn=$(grep -o 'data-charts-drawn="[0-9]*"' "$work/$name.dom" | grep -o '[0-9]*')
  if [ -z "$charts" ]; then
    fail "$name: the page's check script did not run (no data-charts in the DOM)"
  elif [ "$charts" -lt "$min" ]; then
    fail "$name: $charts charts, expected at least $min"
  elif [ "$drawn" != "$charts" ]; then
    fail "$name: only $drawn of $charts charts were drawn with a size and content"
  fi
  if grep -q 'data-drawn-size="0x\|x0"' "$work/$name.dom"; then fail "$name: a chart has a zero size"; fi
  if grep -q 'data-script-errors="' "$work/$name.dom"; then fail "$name: a script error was raised"; fi
  if grep -q 'Uncaught\|:ERROR:CONSOLE' "$work/$name.log"; then
    fail "$name: the console logged an error: $(grep 'Uncaught\|:ERROR:CONSOLE' "$work/$name.log" | head -1)"
  fi
  if [ ! -s "$work/$name.png" ] || [ "$(stat -c %s "$work/$name.png")" -lt 10000 ]; then
    fail "$name: no screenshot (or an empty one)"
  fi
  [ "$failures" -eq 0 ] && echo "ok: $name ($charts charts drawn; screenshot $work/$name.png)"
}

# A trace of 300,000 events with large blocks and leaks.
"$fa32" gen large-mix -n 300000 --leaks 20 -o "$work/large-mix.fa32" || fail "fa32 gen failed"
"$fa32" replay "$work/large-mix.fa32" --format html -o "$work/replay.html" || fail "fa32 replay --format html failed"
check_page replay 6
"$fa32" stats "$examples/lua-like.jsonl" "$examples/small-churn.json" --allow-leaks --format html \
  -o "$work/stats.html" || fail "fa32 stats --format html failed"
check_page stats 8
"$fa32" bench "$examples/small-churn.json" "$examples/lua-like.jsonl" -a fa32 -a glibc -n 2 --warmup 0 \
  --min-time 0 --format html -o "$work/bench.html" || fail "fa32 bench --format html failed"
check_page bench 3

if [ -n "$real" ]; then
  "$fa32" replay "$real" --format html -o "$work/real-replay.html" || fail "fa32 replay of $real failed"
  check_page real-replay 6
  "$fa32" bench "$real" -n 3 --warmup 1 --format html -o "$work/real-bench.html" || fail "fa32 bench of $real failed"
  check_page real-bench 3
fi

# The checks themselves: a page with a script error and a chart of no size must fail both.
before=$failures
cat > "$work/broken.html" << 'PAGE'
<!DOCTYPE html><html><head><script>
window.addEventListener('error', function () { document.documentElement.setAttribute('data-script-errors', '1'); });
</script></head><body><svg class="chart" width="0" height="0"></svg><script>no_such_function();</script>
<script>document.body.setAttribute('data-charts', '1'); document.body.setAttribute('data-charts-drawn', '0');</script>
</body></html>
PAGE
check_page broken 1 > "$work/broken.out"
if [ $((failures - before)) -lt 2 ]; then
  cat "$work/broken.out"
  failures=$((before + 1))
  echo "FAIL: the broken page passed the checks"
else
  failures=$before
  echo "ok: the broken page fails the checks"
fi

[ "$failures" -eq 0 ] || exit 1
