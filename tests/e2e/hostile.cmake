# Hostile traces: requests no machine can grant and ids far beyond the
# trace's length. Each replays in bounded time and memory (the resident
# memory is measured by tests/app/test_app_hostile.cpp); here, the counters,
# worked out in tests/data/README.md. Where a count depends on the memory
# limit, the limit is given; the default (half the physical memory) refuses
# every 1 TiB request on any machine with less than 2 TiB.

fa32_e2e(hostile/malloc-1tib-stats ARGS stats hostile_malloc_1tib.json JSON hostile.malloc_1tib.json
         STDERR "event 1: malloc of id 1 \\(1099511627776 bytes\\) would take live requested bytes from 16 past the memory limit")
fa32_e2e(hostile/malloc-1tib-limit ARGS replay hostile_malloc_1tib.json --memory-limit 1G --format json
         JSON hostile.malloc_1tib.limit.json)
# With the limit lifted, the allocator itself returns NULL: said on stderr,
# not only counted in the report.
fa32_e2e(hostile/malloc-1tib-no-limit ARGS replay hostile_malloc_1tib.json --memory-limit none
         STDERR "the allocator returned NULL for 1 request the memory limit let through")
fa32_e2e(hostile/malloc-1tib-validate ARGS validate hostile_malloc_1tib.json --json JSON hostile.validate.clean.json)

fa32_e2e(hostile/calloc-overflow-stats ARGS stats hostile_calloc_overflow.json JSON hostile.calloc_overflow.json
         STDERR "calloc of id 1 \\(count x size overflows 64 bits\\)")
# The calloc is an error, so its later free is one too (of an id never allocated).
fa32_e2e(hostile/calloc-overflow-validate ARGS validate hostile_calloc_overflow.json --json EXIT 1
         JSON hostile.validate.calloc_overflow.json)

fa32_e2e(hostile/realloc-max-stats ARGS stats hostile_realloc_max.json JSON hostile.realloc_max.json
         STDERR "event 1: realloc of id 0 \\(18446744073709551615 bytes\\)")
fa32_e2e(hostile/realloc-max-validate ARGS validate hostile_realloc_max.json --json EXIT 1
         JSON hostile.validate.one_error.json)

fa32_e2e(hostile/align-1tib-stats ARGS stats hostile_align_1tib.json JSON hostile.align_1tib.json
         STDERR "aligned to 1099511627776")
fa32_e2e(hostile/align-1tib-validate ARGS validate hostile_align_1tib.json --json JSON hostile.validate.clean.json)

fa32_e2e(hostile/forty-gib-stats ARGS stats hostile_forty_gib.json --memory-limit 4G JSON hostile.forty_gib.json
         STDERR "event 4: malloc of id 4 .*; 35 more requests refused")
# Two refused: the count of the others reads in the singular.
fa32_e2e(hostile/forty-gib-one-more ARGS stats hostile_forty_gib.json --memory-limit 38G --touch none
         STDERR "event 38: malloc of id 38 .*; 1 more request refused \\(--memory-limit\\)")
fa32_e2e(hostile/forty-gib-touch-none ARGS stats hostile_forty_gib.json --memory-limit 4G --touch none
         JSON hostile.forty_gib.touch_none.json)
fa32_e2e(hostile/forty-gib-text ARGS replay hostile_forty_gib.json --memory-limit 4G
         LINES hostile.forty_gib.lines)
fa32_e2e(hostile/forty-gib-validate ARGS validate hostile_forty_gib.json --json JSON hostile.validate.forty_gib.json)

fa32_e2e(hostile/sparse-id-stats ARGS stats hostile_sparse_id.json JSON hostile.sparse_id.json)
fa32_e2e(hostile/sparse-id-validate ARGS validate hostile_sparse_id.json
         STDERR "sparse ids: the largest is 4000000000 for 1 allocation;.*fa32 convert --renumber")
# The same in full, as text: one of each count reads in the singular.
fa32_e2e(hostile/sparse-id-validate-text ARGS validate hostile_sparse_id.json TEXT hostile.sparse_id.validate.txt)
fa32_e2e(hostile/sparse-id-renumbered ARGS convert --renumber hostile_sparse_id.json -
         LINES hostile.sparse_id.renumbered.lines)
fa32_e2e(hostile/id-beyond-48-bits-validate ARGS validate id_beyond_48_bits.json
         STDERR "id 1152921504606846976 is 2\\^48 or more")

# The limit itself.
fa32_e2e(hostile/no-memory-limit ARGS replay clean.json --memory-limit none --format json JSON clean.no-limit.json)
fa32_e2e(bad-option/memory-limit ARGS replay clean.json --memory-limit lots EXIT 2 STDERR "--memory-limit: 'lots'")
fa32_e2e(bad-option/memory-limit-zero ARGS stats clean.json --memory-limit 0 EXIT 2 STDERR "--memory-limit: '0'")

# A limit on address space lowers the pool limit instead of failing. Not
# in the sanitizer build: ASan reserves terabytes of shadow address space
# and cannot start under such a limit.
if(NOT FA32_SANITIZE)
  add_test(NAME e2e/hostile/address-space-limit COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/address_limit.sh
                                                        $<TARGET_FILE:fa32> ${FA32_E2E_DATA}/basic.json)
  # validate out of memory under such a limit says so, with its summary.
  add_test(NAME e2e/hostile/validate-out-of-memory
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/validate_out_of_memory.sh $<TARGET_FILE:fa32>)
  # Memory running out anywhere else is named as such, with the limit.
  add_test(NAME e2e/hostile/out-of-memory-message
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/out_of_memory_message.sh $<TARGET_FILE:fa32>)
endif()
