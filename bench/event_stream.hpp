// SPDX-License-Identifier: GPL-3.0-or-later
// Pre-generated allocation event streams: every allocator under test replays
// exactly the same events, and generating them is never timed.
#ifndef FA32_BENCH_EVENT_STREAM_HPP
#define FA32_BENCH_EVENT_STREAM_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace fa32::bench {

enum class Op : std::uint8_t { Malloc, Free, Realloc };

// slot indexes the replayer's pointer table; allocation ids, not addresses.
struct Event {
  std::uint32_t slot;
  std::uint32_t size;  // Malloc/Realloc only
  Op op;
};

struct Stream {
  std::string name;
  std::vector<Event> events;
  std::uint32_t slots = 0;  // size of the pointer table the stream needs
};

// The workloads; each stream ends with every block freed.
Stream small_churn_lifo();    // 8..128 B, ~4000 live, bursts freed in LIFO order
Stream small_churn_random();  // 8..128 B, ~4000 live, random frees
Stream lua_like();            // Lua 5.4 object sizes, GC-style sweeps, table growth
Stream crypto_vm();           // 32..512 B bignums/contexts, stack-like temporaries
Stream mixed_sizes();         // 8 B..4 KiB log-uniform, 1 in 500 up to 1 MiB
Stream large_blocks();        // 8 KiB..1 MiB log-uniform, 64 live, random frees
Stream realloc_growth();      // 16 buffers growing 16 B -> 64 KiB by realloc

}  // namespace fa32::bench

#endif  // FA32_BENCH_EVENT_STREAM_HPP
