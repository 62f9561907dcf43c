# Bad numbers and settings on the command line, each exit 2 with a message.
# Numbers CLI11 would take wrongly: a minus sign on an unsigned option (read
# as 2^64 - 1: `gen -n -1` wrote events without end) and nan on a gate or a
# bound (compared false with everything, so the gate passed).
fa32_e2e(bad-option/negative-events ARGS gen -n -1 EXIT 2 STDERR "--events: '-1' is negative")
# CLI11's own usage errors carry fa32's prefix, like every other error.
fa32_e2e(bad-option/unexpected-argument ARGS replay clean.json --bogus EXIT 2
         STDERR "^fa32: error: The following argument was not expected: --bogus")
fa32_e2e(bad-option/negative-live ARGS gen --live -1 EXIT 2 STDERR "--live: '-1' is negative")
fa32_e2e(bad-option/negative-leaks ARGS replay clean.json --leaks -1 EXIT 2 STDERR "--leaks: '-1' is negative")
fa32_e2e(bad-option/negative-max-size ARGS validate clean.json --max-size -1 EXIT 2
         STDERR "--max-size: '-1' is negative")
# A number past 2^64 - 1 was read as 2^64 - 1 without a word: two seeds,
# one trace.
fa32_e2e(bad-option/seed-past-uint64 ARGS gen -s 18446744073709551616 EXIT 2
         STDERR "--seed: '18446744073709551616' is more than 18446744073709551615")
fa32_e2e(bad-option/max-size-past-uint64 ARGS validate clean.json --max-size 99999999999999999999999 EXIT 2
         STDERR "--max-size: '99999999999999999999999' is more than 18446744073709551615")
# A size past 2^64 - 1 (digits, or digits times a unit) said "is not a
# size", as if it were mistyped: it says it is too large, as --max-size does.
fa32_e2e(bad-option/memory-limit-past-uint64 ARGS replay clean.json --memory-limit 99999999999999999999 EXIT 2
         STDERR "--memory-limit: '99999999999999999999' is more than 18446744073709551615")
fa32_e2e(bad-option/pool-size-past-uint64 ARGS replay clean.json --pool-size 17179869184G EXIT 2
         STDERR "--pool-size: '17179869184G' is more than 18446744073709551615")
fa32_e2e(bad-option/gen-size-past-uint64 ARGS gen --sizes fixed:99999999999999999999 EXIT 2
         STDERR "\"99999999999999999999\" is more than 18446744073709551615")
# CLI11 converts with base 0: "010" was octal 8, "0x10" hex 16. Decimal
# only, leading zeros dropped.
fa32_e2e(bad-option/leading-zero-is-decimal ARGS gen -n 010 --to json JSON gen.leading-zero.json)
fa32_e2e(bad-option/hex-events ARGS gen -n 0x10 EXIT 2 STDERR "--events: '0x10' is not a whole number")
# --no-free leaves every allocation live: a --leaks beside it was ignored.
fa32_e2e(bad-option/leaks-with-no-free ARGS gen --no-free --leaks 5 EXIT 2
         STDERR "--leaks 5 leaves that many allocations live, --no-free every one: give one")
# --suite-scale without --suite scaled nothing, without a word.
fa32_e2e(bad-option/suite-scale-without-suite ARGS bench clean.json --suite-scale 2 -a fa32 -n 1 --min-time 0
         EXIT 2 STDERR "--suite-scale scales --suite, which is not given")
# tune -o - wrote the config to a file named "-" (elsewhere - is standard output).
fa32_e2e(bad-option/tune-output-dash ARGS tune clean.json --objective memory -o - EXIT 2
         STDERR "-o -: standard output holds the report; give -o a file name")
fa32_e2e(bad-option/nan-gate ARGS stats clean.json --max-overhead nan EXIT 2
         STDERR "--max-overhead: 'nan' is not a finite number")
fa32_e2e(bad-option/nan-hit-rate ARGS stats clean.json --min-pool-hit-rate nan EXIT 2
         STDERR "--min-pool-hit-rate: 'nan' is not a finite number")
fa32_e2e(bad-option/inf-min-time ARGS bench clean.json --min-time inf EXIT 2
         STDERR "--min-time: 'inf' is not a finite number")

# A config fastalloc32 rejects names the rule it breaks.
fa32_e2e(bad-option/pool-below-block ARGS replay clean.json --pool-size 4096 EXIT 2
         STDERR "pool_size must be at least the largest block size")
fa32_e2e(bad-option/align-past-blocks ARGS replay clean.json --align 4096 EXIT 2
         STDERR "every block size must be a multiple of the alignment")
# A fastalloc32 setting with the system allocator would be silently ignored.
fa32_e2e(bad-option/fa32-key-with-system ARGS replay clean.json --allocator system --cache 5 EXIT 2
         STDERR "--cache configures fastalloc32")

# A number past a 32-bit option's range got CLI11's bare "Could not
# convert"; it names the option's range, as the 64-bit ones do.
fa32_e2e(bad-option/threads-past-range ARGS gen --threads 4294967297 EXIT 2
         STDERR "--threads: '4294967297' is more than 4096")
# --cache is a 32-bit count: past it, "is not a count" said the digits were wrong.
fa32_e2e(bad-option/cache-past-uint32 ARGS replay clean.json --cache 4294967297 EXIT 2
         STDERR "--cache: '4294967297' is more than 4294967295")
# A class list with an empty item: a last one was dropped without a word
# (16,32, replayed as 16,32), the others said only "'' is not a size".
fa32_e2e(bad-option/classes-trailing-comma ARGS replay clean.json --classes 16,32, EXIT 2
         STDERR "--classes: '16,32,' has an empty item")
fa32_e2e(bad-option/classes-empty-item ARGS replay clean.json --classes 16,,32 EXIT 2
         STDERR "--classes: '16,,32' has an empty item")
# A bad value in a bench allocator spec named the replay flag (--cache),
# which the user did not write: it names the spec and its key.
fa32_e2e(bad-option/bench-spec-names-key ARGS bench clean.json -a x=fa32:cache=abc EXIT 2
         STDERR "fastalloc32 config 'cache=abc': cache: 'abc' is not a count")

# gen wrote sizes past validate's default --max-size (1 TiB): a trace its
# own validate then refused. Up to 1 TiB is written; past it refused.
fa32_e2e(bad-option/gen-size-past-max-size ARGS gen --sizes fixed:1099511627777 -n 4 EXIT 2
         STDERR "--sizes: sizes go up to 1099511627777 bytes, past 1099511627776 \\(1 TiB\\), the largest fa32 validate")
fa32_e2e(bad-option/gen-uniform-past-max-size ARGS gen --sizes uniform:16-2199023255552 -n 4 EXIT 2
         STDERR "--sizes: sizes go up to 2199023255552 bytes")
