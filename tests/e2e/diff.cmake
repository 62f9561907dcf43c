# fa32 diff on small reports shipped in tests/data/reports (see its README):
# base.json and new.json are fa32 stats of basic.json under two configs.
set(reports reports/base.json reports/new.json)

# The golden diffs: text, Markdown, and JSON with a gate that holds.
fa32_e2e(diff/golden-text ARGS diff ${reports} TEXT diff.base-new.txt)
fa32_e2e(diff/golden-markdown ARGS diff ${reports} --format markdown TEXT diff.base-new.md)
fa32_e2e(diff/json-gate-holds ARGS diff ${reports} --format json --max-regression memory.footprint_peak=50
         JSON diff.base-new.json)
fa32_e2e(diff/all-shows-unchanged ARGS diff ${reports} --all LINES diff.all.lines)

# Exit codes: the same report twice, a gate exceeded (leaf and dotted names),
# a gate naming no figure, and files that are not reports.
fa32_e2e(diff/same-report ARGS diff reports/base.json reports/base.json
         LINES diff.same.lines)
fa32_e2e(diff/gate-exceeded ARGS diff ${reports} --max-regression footprint_peak=5 EXIT 1
         STDERR "gate footprint_peak failed: memory.footprint_peak 8368 -> 12424")
fa32_e2e(diff/gate-exceeded-dotted ARGS diff ${reports} --max-regression fragmentation.internal_at_peak=10
         --max-regression footprint_peak=60 EXIT 1 STDERR "gate fragmentation.internal_at_peak failed")
fa32_e2e(diff/gate-better-is-no-regression ARGS diff ${reports} --max-regression pool.hit_rate=0 EXIT 0)
fa32_e2e(diff/gate-names-no-figure ARGS diff ${reports} --max-regression footprint=5 EXIT 2
         STDERR "names no figure")
# A class that one config lacks (classes[64] is in new.json only): its figures
# are in one report, so the gate compared nothing and fails; it names a figure.
fa32_e2e(diff/gate-on-class-in-one-report ARGS diff ${reports} --max-regression classes[64].allocs=5 EXIT 1
         STDERR "gate classes\\[64\\].allocs failed: classes\\[64\\].allocs is in only one of the reports")
fa32_e2e(diff/gate-malformed ARGS diff ${reports} --max-regression footprint_peak EXIT 2
         STDERR "expected FIGURE=PERCENT")
fa32_e2e(diff/gate-bad-percent ARGS diff ${reports} --max-regression footprint_peak=-3 EXIT 2
         STDERR "not a non-negative percentage")
# strtod read hex and let an underflow pass as 0: both are refused.
fa32_e2e(diff/gate-hex-percent ARGS diff ${reports} --max-regression footprint_peak=0x10 EXIT 2
         STDERR "'0x10' is not a non-negative percentage")
fa32_e2e(diff/gate-underflowing-percent ARGS diff ${reports} --max-regression footprint_peak=1e-400 EXIT 2
         STDERR "'1e-400' is not a non-negative percentage")
fa32_e2e(diff/trace-is-not-a-report ARGS diff basic.json reports/base.json EXIT 2 STDERR "basic.json: not an fa32 report")
fa32_e2e(diff/garbage-is-not-a-report ARGS diff reports/base.json garbage.txt EXIT 2 STDERR "garbage.txt: not JSON")
fa32_e2e(diff/missing-file ARGS diff reports/base.json no-such-report.json EXIT 2 STDERR "no-such-report.json")
fa32_e2e(diff/bench-vs-replay ARGS diff reports/bench-base.json reports/base.json EXIT 2
         STDERR "cannot compare a bench report")

# Warnings: different traces or schema versions are compared, with a warning.
fa32_e2e(diff/different-traces ARGS diff reports/base.json reports/clean.json EXIT 0 STDERR "different traces")
fa32_e2e(diff/different-schema ARGS diff reports/base.json reports/base.schema2.json EXIT 0
         STDERR "schema versions differ")

# Bench reports: per allocator per workload.
fa32_e2e(diff/bench ARGS diff reports/bench-base.json reports/bench-new.json --format json JSON diff.bench.json)
fa32_e2e(diff/bench-gate ARGS diff reports/bench-base.json reports/bench-new.json
         --max-regression footprint_peak_bytes=10 EXIT 1 STDERR "allocators\\[fa32\\].footprint_peak_bytes")
fa32_e2e(diff/bench-speed-gate-holds ARGS diff reports/bench-base.json reports/bench-new.json
         --max-regression ns_per_event.median=0 EXIT 0)

# A report whose replay stopped at an error: its figures cover only the
# events before it, so diff warns and every gate fails (gates on figures
# that shrank, or stayed, passed: exit 0 on a trace never replayed whole).
fa32_e2e(diff/stopped-replay-fails-gates ARGS diff reports/base.json reports/stopped.json
         --max-regression footprint_peak=5 EXIT 1
         STDERR "reports/stopped.json: the replay stopped at an error \\(event 5: free of id 9")
fa32_e2e(diff/stopped-replay-warns ARGS diff reports/stopped.json reports/base.json EXIT 0
         STDERR "warning: reports/stopped.json: the replay stopped at an error")

# --ignore: a section or a figure left out; naming nothing is a usage error.
fa32_e2e(diff/ignore-timing ARGS diff ${reports} --ignore timing --format json JSON diff.ignore.json)
fa32_e2e(diff/ignore-then-gate ARGS diff ${reports} --ignore memory.footprint_peak --max-regression memory.footprint_peak=5
         EXIT 2 STDERR "names no figure left to compare: --ignore left out")
# Overlapping --ignore in either order: each names a figure of the reports,
# even one an earlier --ignore left out (it was exit 2, "names no figure").
fa32_e2e(diff/ignore-section-then-figure ARGS diff ${reports} --ignore timing --ignore timing.ns_per_event
         --format json JSON diff.ignore.json)
fa32_e2e(diff/ignore-figure-then-section ARGS diff ${reports} --ignore timing.ns_per_event --ignore timing
         --format json JSON diff.ignore.json)
# Options before the reports: each takes one value, not the reports after it.
fa32_e2e(diff/ignore-before-reports ARGS diff --ignore timing ${reports} --format json JSON diff.ignore.json)
fa32_e2e(diff/gate-before-reports ARGS diff --max-regression footprint_peak=5 ${reports} EXIT 1
         STDERR "gate footprint_peak failed: memory.footprint_peak 8368 -> 12424")
fa32_e2e(diff/ignore-names-nothing ARGS diff ${reports} --ignore timings EXIT 2 STDERR "--ignore timings: names no figure")

# Either report from standard input (a report piped from stats), not both.
fa32_e2e(diff/new-from-stdin ARGS diff reports/base.json - --max-regression footprint_peak=5 STDIN reports/new.json
         EXIT 1 STDERR "gate footprint_peak failed: memory.footprint_peak 8368 -> 12424")
fa32_e2e(diff/base-from-stdin ARGS diff - reports/new.json --max-regression footprint_peak=5 STDIN reports/base.json
         EXIT 1 STDERR "gate footprint_peak failed: memory.footprint_peak 8368 -> 12424")
fa32_e2e(diff/stdin-not-json ARGS diff reports/base.json - STDIN garbage.txt EXIT 2 STDERR "-: not JSON")
fa32_e2e(diff/both-stdin ARGS diff - - STDIN reports/base.json EXIT 2 STDERR "cannot both be -")
