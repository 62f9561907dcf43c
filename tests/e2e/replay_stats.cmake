# fa32 replay / fa32 stats. Every figure is worked out in tests/data/README.md.
set(tiny --config tiny.config.json)

# The full report of the hand-written trace, JSON and text.
fa32_e2e(stats/basic ARGS stats basic.json ${tiny} --allow-leaks JSON basic.stats-nogates.json)
fa32_e2e(stats/basic-leak-gate ARGS stats basic.json ${tiny} EXIT 1 JSON basic.stats.json
         STDERR "gate fail-on-leak failed: 3 allocations")
# Text output names the memory limit: a fixed one keeps it the same on every machine.
fa32_e2e(replay/basic-text ARGS replay basic.json ${tiny} --memory-limit 1G TEXT basic.replay.txt)
fa32_e2e(replay/basic-csv ARGS replay basic.json ${tiny} --format csv LINES basic.csv.lines)
fa32_e2e(replay/basic-output-file ARGS replay basic.json ${tiny} --format json --output ${CMAKE_CURRENT_BINARY_DIR}/basic.out.json
         OUTPUT basic.out.json JSON basic.figures.json)
fa32_e2e(replay/basic-system ARGS replay basic.json --allocator system --format json JSON basic.system.json)
fa32_e2e(replay/basic-stdin ARGS replay - ${tiny} --format json STDIN basic.json JSON basic.figures.json)
fa32_e2e(replay/basic-verify ARGS replay basic.json ${tiny} --verify --format json JSON basic.figures.json)
fa32_e2e(replay/basic-preload ARGS replay basic.json ${tiny} --preload --format json JSON basic.stats-nogates.json)
fa32_e2e(replay/snapshots ARGS replay basic.json ${tiny} --snapshot-every 5 --format json JSON snapshots.json)
fa32_e2e(replay/leaks-are-not-a-failure ARGS replay basic.json EXIT 0)
fa32_e2e(replay/fail-on-leak ARGS replay basic.json --fail-on-leak EXIT 1 STDERR "fail-on-leak")
fa32_e2e(replay/calloc-aligned ARGS replay calloc_aligned.json --verify --format json JSON calloc_aligned.json)
# realloc to 0 leaves the id live with 0 bytes on every allocator (glibc and
# fastalloc32 free the block and return NULL), as validate says: a later free
# or realloc of the id is valid, a later allocation of it is not.
fa32_e2e(replay/realloc-to-zero-then-free ARGS replay realloc_zero.json --verify --format json JSON realloc_zero.json)
fa32_e2e(replay/realloc-to-zero-then-free-system
         ARGS replay realloc_zero.json --allocator system --verify --format json JSON realloc_zero.json)
fa32_e2e(validate/realloc-to-zero-then-free ARGS validate realloc_zero.json EXIT 0)
fa32_e2e(replay/realloc-to-zero-then-allocate ARGS replay realloc_zero_reuse.json EXIT 2
         STDERR "event 2: malloc of id 0: the id is still live")
fa32_e2e(replay/realloc-to-zero-then-allocate-system ARGS replay realloc_zero_reuse.json --allocator system EXIT 2
         STDERR "event 2: malloc of id 0: the id is still live")
fa32_e2e(validate/realloc-to-zero-then-allocate ARGS validate realloc_zero_reuse.json EXIT 1)

# Gates.
fa32_e2e(stats/clean-all-gates-pass
         ARGS stats clean.json --min-pool-hit-rate 1 --max-fallback-rate 0 --max-overhead 1100
         JSON clean.stats.json)
fa32_e2e(stats/overhead-gate-fails ARGS stats clean.json --max-overhead 1000 EXIT 1 JSON clean.overhead-fails.json
         STDERR "gate max-overhead failed")
fa32_e2e(stats/pool-and-fallback-gates-fail
         ARGS stats basic.json ${tiny} --allow-leaks --min-pool-hit-rate 0.6 --max-fallback-rate 0.1
         EXIT 1 JSON basic.gates.json STDERR "gate min-pool-hit-rate failed")
fa32_e2e(stats/pool-and-fallback-gates-pass
         ARGS stats basic.json ${tiny} --allow-leaks --min-pool-hit-rate 0.5 --max-fallback-rate 0.2
         JSON basic.gates-pass.json)
fa32_e2e(stats/pool-gate-undefined-for-system ARGS stats clean.json --allocator system --min-pool-hit-rate 0.5
         EXIT 1 STDERR "not defined")
fa32_e2e(replay/gate-given-explicitly ARGS replay clean.json --max-overhead 100 EXIT 1
         STDERR "gate max-overhead failed")

# Several traces: a JSON array and side-by-side tables.
fa32_e2e(stats/multi ARGS stats clean.json basic.json --allow-leaks JSON multi.json)
fa32_e2e(stats/multi-leak-fails ARGS stats clean.json basic.json EXIT 1
         STDERR "basic.json: gate fail-on-leak failed")
fa32_e2e(replay/multi-markdown ARGS replay clean.json basic.json --format markdown LINES multi.md.lines)

# Invalid traces and bad input: exit 2 with a message naming the problem.
fa32_e2e(replay/invalid-trace ARGS replay invalid.json --format json EXIT 2 JSON invalid.strict.json
         STDERR "invalid.json: invalid trace: event 1: free of id 1: the id was never allocated")
fa32_e2e(replay/invalid-lenient ARGS replay invalid.json --lenient --format json JSON invalid.lenient.json
         STDERR "skipped 3 invalid events")
fa32_e2e(stats/invalid-lenient ARGS stats invalid.json --lenient EXIT 0)
fa32_e2e(replay/missing-file ARGS replay no-such-trace.json EXIT 2 STDERR "no-such-trace.json")
fa32_e2e(replay/garbage ARGS replay garbage.txt EXIT 2 STDERR "garbage.txt")
fa32_e2e(replay/no-trace ARGS replay EXIT 2 STDERR "traces is required")
# The wrong file where a trace belongs: a report (replay's, bench's) or a
# config is named as such (it was 'unknown header key "allocator"', or 'the
# trace object has no "events" array', as if the trace were broken).
fa32_e2e(replay/report-is-not-a-trace ARGS replay reports/base.json EXIT 2
         STDERR "reports/base.json: line [0-9]+, byte [0-9]+: header: not a trace but an fa32 report")
fa32_e2e(tune/bench-report-is-not-a-trace ARGS tune reports/bench-base.json EXIT 2
         STDERR "header: not a trace but an fa32 report")
fa32_e2e(validate/config-is-not-a-trace ARGS validate tiny.config.json EXIT 2
         STDERR "header: not an fa32 trace: the object has no \"format\"")
fa32_e2e(bad-option/touch ARGS replay clean.json --touch sometimes EXIT 2 STDERR "--touch: sometimes not in")
fa32_e2e(bad-option/allocator ARGS replay clean.json --allocator jemalloc EXIT 2
         STDERR "--allocator: jemalloc not in")
fa32_e2e(bad-option/format ARGS stats clean.json --format yaml EXIT 2 STDERR "--format: yaml not in")
fa32_e2e(bad-option/classes-order ARGS replay clean.json --classes 64,32 EXIT 2 STDERR "ascending")
fa32_e2e(bad-option/classes-junk ARGS replay clean.json --classes 16,x EXIT 2 STDERR "--classes")
fa32_e2e(bad-option/block-and-classes ARGS replay clean.json --block-size 64 --classes 16 EXIT 2
         STDERR "--block-size")
fa32_e2e(bad-option/pool-size ARGS replay clean.json --pool-size lots EXIT 2 STDERR "--pool-size")
fa32_e2e(bad-option/rejected-config ARGS replay clean.json --align 24 EXIT 2 STDERR "rejected")
fa32_e2e(bad-option/rate ARGS stats clean.json --min-pool-hit-rate high EXIT 2 STDERR "--min-pool-hit-rate")
fa32_e2e(bad-option/negative-rate ARGS stats clean.json --max-overhead -1 EXIT 2 STDERR "--max-overhead: Value -1")
fa32_e2e(bad-option/leak-flags ARGS stats clean.json --fail-on-leak --allow-leaks EXIT 2 STDERR "contradict")
fa32_e2e(bad-option/config-missing ARGS replay clean.json --config no-such-config.json EXIT 2
         STDERR "no-such-config.json")
# A value of the file that fastalloc32 refuses names the file, not only the field.
fa32_e2e(bad-option/config-rejected ARGS stats clean.json --config rejected.config.json EXIT 2
         STDERR "rejected[.]config[.]json .--config, with any flags.: fastalloc32 rejected.*pool_size")
fa32_e2e(bad-option/config-garbage ARGS replay clean.json --config garbage.txt EXIT 2 STDERR "not valid JSON")
fa32_e2e(bad-option/output-dir ARGS replay clean.json --output no-such-dir/out.json EXIT 2
         STDERR "no-such-dir/out.json: cannot write: No such file or directory")
# An -o that cannot be written is found before the work, not after it: here
# before the trace's invalid event (or tune's search) is reached.
fa32_e2e(bad-option/output-checked-first ARGS stats invalid.json -o no-such-dir/r.json EXIT 2
         STDERR "no-such-dir/r.json: cannot write")
fa32_e2e(bad-option/tune-output-checked-first ARGS tune invalid.json -o no-such-dir/best.json EXIT 2
         STDERR "no-such-dir/best.json: cannot write")
fa32_e2e(help/replay ARGS replay --help EXIT 0 LINES help.replay.lines)
fa32_e2e(help/stats ARGS stats --help EXIT 0 LINES help.stats.lines)
fa32_e2e(replay/multi-text ARGS replay clean.json basic.json --memory-limit 1G TEXT multi.replay.txt)
fa32_e2e(replay/truncated ARGS replay truncated.json EXIT 2 STDERR "truncated.json: line 3.*truncated")
fa32_e2e(replay/huge-id-goes-to-the-hash ARGS replay huge_id.json --format json JSON huge_id.json)
fa32_e2e(replay/id-beyond-48-bits ARGS replay id_beyond_48_bits.json EXIT 2
         STDERR "id_beyond_48_bits.json: event 1: id 1152921504606846976 .*fa32 convert --renumber")
# A count or alignment on an op that takes none: validate rejects the
# event, and the replaying commands replayed it without the field (exit 0).
fa32_e2e(validate/stray-count ARGS validate stray_count.jsonl EXIT 1 LINES stray_count.validate.lines)
fa32_e2e(replay/stray-count ARGS replay stray_count.jsonl EXIT 2
         STDERR "stray_count.jsonl: event 0: malloc of id 0 has count 3 \\(only calloc has one\\)")
fa32_e2e(replay/stray-count-preload ARGS replay stray_count.jsonl --preload --lenient EXIT 2
         STDERR "stray_count.jsonl: event 0: malloc of id 0 has count 3")
fa32_e2e(stats/stray-count ARGS stats stray_count.jsonl EXIT 2 STDERR "event 0: malloc of id 0 has count 3")
fa32_e2e(tune/stray-count ARGS tune stray_count.jsonl EXIT 2 STDERR "event 0: malloc of id 0 has count 3")
fa32_e2e(validate/stray-alignment ARGS validate stray_alignment.json EXIT 1 LINES stray_alignment.validate.lines)
fa32_e2e(replay/stray-alignment ARGS replay stray_alignment.json EXIT 2
         STDERR "stray_alignment.json: event 1: realloc of id 0 has alignment 64 \\(only aligned_alloc has one\\)")
# convert keeps the field (the binary format holds it too), so the trace
# stays invalid rather than turning valid.
fa32_e2e(convert/stray-count-kept ARGS convert stray_count.jsonl - LINES stray_count.convert.lines)
fa32_e2e(replay/bogus-id-bound-is-only-a-hint ARGS stats bogus_bound.json --format json JSON clean.bogus-bound.json)
fa32_e2e(replay/snapshots-text ARGS replay basic.json ${tiny} --snapshot-every 5 --memory-limit 1G
         TEXT basic.snapshots.txt)
# Standard input named twice: refused before anything is read (the second
# read met an empty stream and said "empty input, not a trace").
foreach(cmd replay stats validate tune bench)
  fa32_e2e(${cmd}/stdin-twice ARGS ${cmd} - - STDIN basic.json EXIT 2 STDERR "standard input. is given more than once")
endforeach()
