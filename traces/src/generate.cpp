// One workload engine, parameterised per profile. The live set follows a
// mean-reverting random walk around its target L: an allocation happens
// with probability 0.5 + (L - live) / 2L, so live never exceeds 2L (which
// bounds the dense recycled ids: the header's id_bound is 2L).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <charconv>
#include <deque>
#include <stdexcept>

#include "fa32/traces/generate.hpp"

namespace fa32::traces {
namespace {

enum class ReallocMode { resize, grow };

struct Shape {
  FreeOrder order = FreeOrder::random;
  ReallocMode realloc_mode = ReallocMode::resize;
  std::uint64_t grow_cap = 65536;  // grow: double up to this, then free
  double calloc_share = 0;         // of allocations
  double aligned_share = 0;        // of allocations
  double cross_thread_share = 0;   // of frees, when threads > 1
  // Fragmentation: a share of allocations is long-lived, with its own sizes,
  // and is picked by a free only with long_free_share.
  double long_share = 0;
  double long_free_share = 0;
  std::string long_sizes;
};

struct Profile {
  ProfileInfo info;
  Shape shape;
};

const std::vector<Profile>& registry() {
  static const std::vector<Profile> r = [] {
    std::vector<Profile> v;
    auto add = [&](ProfileInfo i, void (*shape)(Shape&)) {
      Profile p{std::move(i), Shape{}};
      shape(p.shape);
      v.push_back(std::move(p));
    };
    add({"small-churn",
         "small objects of 8-128 B, allocated and freed in random order around a live set of 1000",
         "object-heavy C and C++ programs: AST and graph nodes, hash-table entries, short strings", 1000,
         "uniform:8-128", 0, 1},
        [](Shape&) {});
    add({"lifo", "stack-like: the most recent allocation is freed first; 16-256 B",
         "recursive-descent parsers, scope-bound temporaries, region-style code (sh6bench's LIFO phase)", 200,
         "uniform:16-256", 0, 1},
        [](Shape& s) { s.order = FreeOrder::lifo; });
    add({"fifo", "queue-like: the oldest allocation is freed first; 64-1536 B",
         "message and packet queues, producer-consumer pipelines (xmalloc-test)", 500, "uniform:64-1536", 0,
         1},
        [](Shape& s) { s.order = FreeOrder::fifo; });
    add({"random-lifetime", "Pareto-like sizes 8 B-4 KiB, each freed at a random later time around 5000 live",
         "long-running servers where objects die at unrelated times (mimalloc-bench alloc-test)", 5000,
         "power:8-4096:1.3", 0, 1},
        [](Shape&) {});
    add({"realloc-growth", "buffers start at 16 B and double by realloc up to 64 KiB, then are freed",
         "string builders and std::vector-style doubling arrays", 64, "fixed:16", 0.6, 1},
        [](Shape& s) {
          s.realloc_mode = ReallocMode::grow;
          s.grow_cap = 65536;
        });
    add({"lua-like",
         "many small short-lived objects (16-64 B), strings (17-256 B, power law), tables that grow by "
         "realloc",
         "the Lua 5.4 interpreter through lua_Alloc: closures, table nodes and strings churn, table arrays "
         "double",
         2000, "", 0.08, 1},
        [](Shape& s) {
          s.realloc_mode = ReallocMode::grow;
          s.grow_cap = 16384;
        });
    add({"crypto-vm",
         "octets, big integers and keys of 32-512 B, stack-like lifetimes, a fifth of them zeroed",
         "Zenroom's Lua-scripted crypto VM, the program the original fastalloc32 was made for", 300,
         "hist:[[32,30],[48,10],[64,25],[96,5],[128,12],[256,10],[384,3],[512,5]]", 0.02, 1},
        [](Shape& s) {
          s.order = FreeOrder::lifo;
          s.calloc_share = 0.2;
        });
    add({"fragmentation",
         "adversary: short-lived 16-64 B objects interleaved with long-lived ones of 16 B-16 KiB",
         "caches with mixed-size entries, editors and browsers: holes a size-class allocator cannot reuse",
         2000, "uniform:16-64", 0, 1},
        [](Shape& s) {
          s.long_share = 0.3;
          s.long_free_share = 0.15;
          s.long_sizes = "power:16-16384:1.0";
        });
    add({"large-mix", "mostly 8 B-4 KiB with 1% of 64 KiB-1 MiB blocks and some aligned allocations",
         "databases and browsers: image and column buffers among small objects", 1000, "", 0, 1},
        [](Shape& s) {
          s.calloc_share = 0.02;
          s.aligned_share = 0.03;
        });
    add({"larson", "4 threads; half of the frees happen on a thread other than the allocating one, 16-512 B",
         "multi-threaded servers handing objects between threads (the larson benchmark)", 2000,
         "uniform:16-512", 0, 4},
        [](Shape& s) { s.cross_thread_share = 0.5; });
    return v;
  }();
  return r;
}

SizeDistribution default_sizes(const std::string& profile, const std::string& spec) {
  if (profile == "lua-like") {
    return SizeDistribution::mixture({
        {0.6,
         SizeDistribution::histogram({{16, 20}, {24, 15}, {32, 25}, {40, 10}, {48, 10}, {56, 5}, {64, 15}})},
        {0.3, SizeDistribution::power(17, 256, 1.5)},
        {0.1, SizeDistribution::uniform(64, 1024)},
    });
  }
  if (profile == "large-mix") {
    return SizeDistribution::mixture({
        {0.99, SizeDistribution::power(8, 4096, 1.2)},
        {0.01, SizeDistribution::uniform(65536, 1048576)},
    });
  }
  return SizeDistribution::parse(spec);
}

struct Live {
  std::uint64_t id;
  std::uint64_t size;
  std::uint32_t thread;
};

class WorkloadGenerator final : public TraceReader {
 public:
  WorkloadGenerator(const Profile& p, const GenOptions& o)
      : shape_(p.shape),
        opt_(o),
        rng_(o.seed),
        sizes_(o.sizes ? *o.sizes : default_sizes(p.info.name, p.info.sizes)),
        // --sizes sets every request size: the header says "sizes" is it.
        long_sizes_(p.shape.long_sizes.empty() || o.sizes ? sizes_
                                                          : SizeDistribution::parse(p.shape.long_sizes)),
        live_target_(o.live.value_or(p.info.live)),
        realloc_share_(o.realloc_share.value_or(p.info.realloc_share)),
        threads_(o.threads.value_or(p.info.threads)),
        source_("gen:" + p.info.name) {
    if (live_target_ == 0) throw std::invalid_argument("--live must be at least 1");
    if (!(realloc_share_ >= 0 && realloc_share_ < 1)) {
      throw std::invalid_argument("--realloc-share must be in [0, 1)");
    }
    if (threads_ == 0 || threads_ > 4096) throw std::invalid_argument("--threads must be in 1..4096");
    if (o.events == 0) throw std::invalid_argument("--events must be at least 1");
    // One event allocates and cannot also free: the trace would leak while
    // its header says nothing of it, against the default of freeing all.
    if (o.events == 1 && o.free_at_end && o.leaks == 0) {
      throw std::invalid_argument(
          "--events 1 cannot free the allocation it makes: give 2 or more events, --leaks 1 or --no-free");
    }
    // Each leaked allocation is an event of its own.
    if (o.free_at_end && o.leaks > o.events) {
      throw std::invalid_argument("--leaks " + std::to_string(o.leaks) + " is more than --events " +
                                  std::to_string(o.events) + ": each leaked allocation takes an event");
    }
    header_.metadata["producer"] = "fa32 gen";
    header_.metadata["profile"] = p.info.name;
    header_.metadata["seed"] = std::to_string(o.seed);
    header_.metadata["live"] = std::to_string(live_target_);
    header_.metadata["sizes"] = sizes_.describe();
    // The profile's long-lived allocations draw their own sizes.
    if (shape_.long_share > 0 && !o.sizes) header_.metadata["long_sizes"] = long_sizes_.describe();
    // An option that overrides the profile is written even when it is off
    // (--threads 1, --realloc-share 0): without it the header read as made
    // with the profile's own threads or reallocs.
    if (realloc_share_ > 0 || realloc_share_ != p.info.realloc_share) {
      // The shortest text that reads back as the same double: six digits
      // ("0.123457" for 0.12345678901) named another share than the trace's.
      char share[32];
      const auto end = std::to_chars(share, share + sizeof share, realloc_share_).ptr;
      header_.metadata["realloc_share"] = std::string(share, end);
    }
    if (threads_ > 1 || threads_ != p.info.threads) header_.metadata["threads"] = std::to_string(threads_);
    if (!o.free_at_end) {
      header_.metadata["end"] = "leave all live";
    } else if (o.leaks) {
      header_.metadata["end"] = "leak " + std::to_string(o.leaks);
    }
    // Live stays at or below 2L, or the leaks when more (the end allocates
    // up to them), and ids are dense and recycled, so ids stay below that;
    // and below the event count, as each allocation takes at most one new
    // id. 2L can overflow (--live is any 64-bit number): then the count.
    header_.id_bound = live_target_ <= UINT64_MAX / 2 ? std::max(2 * live_target_, o.leaks) : o.events;
    header_.event_count = o.events;
  }

  const TraceHeader& header() const override { return header_; }
  Format format() const override { return Format::binary; }
  std::uint64_t events_read() const override { return emitted_; }
  std::string position() const override { return "event " + std::to_string(emitted_); }
  const std::string& source() const override { return source_; }

  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size() && emitted_ < opt_.events) {
      step(out[n]);
      ++n;
      ++emitted_;
    }
    return n;
  }

 private:
  std::uint64_t live_count() const { return short_.size() + long_.size(); }

  void step(Event& e) {
    e = Event{};
    std::uint64_t remaining = opt_.events - emitted_;
    std::uint64_t live = live_count();
    if (opt_.free_at_end) {
      // The events it takes to end with exactly the leaks live: frees while
      // more are live, allocations while fewer are (a --leaks above the
      // live set is met, not merely written in the metadata). A step that
      // moves away from the leaks costs two of the gap, so at gap 1 none
      // may; remaining >= need holds from the start, as leaks <= events.
      std::uint64_t need = live > opt_.leaks ? live - opt_.leaks : opt_.leaks - live;
      std::uint64_t gap = remaining - need;
      if (gap == 0) return live > opt_.leaks ? free_one(e) : alloc(e);  // only the leaks stay
      if (gap == 1) {
        if (live > 0) return realloc_one(e, /*allow_free=*/false);
        return alloc(e);
      }
    }
    if (live > 0 && realloc_share_ > 0 && rng_.chance(realloc_share_)) return realloc_one(e, true);
    double p_alloc = 0.5 + (static_cast<double>(live_target_) - static_cast<double>(live)) /
                               (2.0 * static_cast<double>(live_target_));
    if (live == 0 || rng_.chance(p_alloc)) return alloc(e);
    free_one(e);
  }

  std::uint32_t pick_thread() {
    return threads_ > 1 ? static_cast<std::uint32_t>(rng_.between(1, threads_)) : 0;
  }

  void alloc(Event& e) {
    bool is_long = shape_.long_share > 0 && rng_.chance(shape_.long_share);
    std::uint64_t size = (is_long ? long_sizes_ : sizes_).sample(rng_);
    std::uint64_t id;
    if (!free_ids_.empty()) {
      id = free_ids_.back();
      free_ids_.pop_back();
    } else {
      id = next_id_++;
    }
    e.id = id;
    e.thread = pick_thread();
    e.size = size;
    if (shape_.calloc_share > 0 && rng_.chance(shape_.calloc_share)) {
      e.op = Op::calloc;
      // The size drawn, split into 1 to 4 elements: as many as divide it,
      // so count * size is exactly the size drawn (rounding each element up
      // asked for bytes the distribution never gives: 513 for 512).
      e.count = rng_.between(1, 4);
      while (size % e.count != 0) --e.count;
      e.size = size / e.count;
    } else if (shape_.aligned_share > 0 && rng_.chance(shape_.aligned_share)) {
      e.op = Op::aligned_alloc;
      e.alignment = std::uint64_t{1} << rng_.between(4, 12);
    } else {
      e.op = Op::malloc;
    }
    (is_long ? long_ : short_).push_back({id, size, e.thread});
  }

  // Which pool and which index a free or realloc picks.
  std::pair<std::deque<Live>*, std::size_t> victim() {
    std::deque<Live>* pool = &short_;
    if (long_.size() > 0 && (short_.empty() || rng_.chance(shape_.long_free_share))) pool = &long_;
    switch (shape_.order) {
      case FreeOrder::lifo:
        return {pool, pool->size() - 1};
      case FreeOrder::fifo:
        return {pool, 0};
      case FreeOrder::random:
        break;
    }
    return {pool, static_cast<std::size_t>(rng_.below(pool->size()))};
  }

  void remove(std::deque<Live>& pool, std::size_t i) {
    if (i == 0) {
      pool.pop_front();
    } else if (i == pool.size() - 1) {
      pool.pop_back();
    } else {  // random order: the order of the rest does not matter
      pool[i] = pool.back();
      pool.pop_back();
    }
  }

  void free_one(Event& e) {
    auto [pool, i] = victim();
    Live l = (*pool)[i];
    remove(*pool, i);
    e.op = Op::free;
    e.id = l.id;
    e.thread = l.thread;
    if (threads_ > 1 && shape_.cross_thread_share > 0 && rng_.chance(shape_.cross_thread_share)) {
      auto other = static_cast<std::uint32_t>(rng_.between(1, threads_ - 1));
      e.thread = other >= l.thread ? other + 1 : other;
    }
    free_ids_.push_back(l.id);
  }

  void realloc_one(Event& e, bool allow_free) {
    auto [pool, i] = victim();
    Live& l = (*pool)[i];
    std::uint64_t size;
    if (shape_.realloc_mode == ReallocMode::grow) {
      if (l.size >= shape_.grow_cap && allow_free) return free_one_at(e, *pool, i);
      size = std::max<std::uint64_t>(1, std::min(l.size * 2, std::max(shape_.grow_cap, l.size)));
    } else {
      size = sizes_.sample(rng_);
    }
    l.size = size;
    e.op = Op::realloc;
    e.id = l.id;
    e.size = size;
    e.thread = l.thread;
  }

  void free_one_at(Event& e, std::deque<Live>& pool, std::size_t i) {
    Live l = pool[i];
    remove(pool, i);
    e.op = Op::free;
    e.id = l.id;
    e.thread = l.thread;
    free_ids_.push_back(l.id);
  }

  Shape shape_;
  GenOptions opt_;
  Rng rng_;
  SizeDistribution sizes_;
  SizeDistribution long_sizes_;
  std::uint64_t live_target_;
  double realloc_share_;
  std::uint32_t threads_;
  std::string source_;
  TraceHeader header_;
  std::deque<Live> short_, long_;
  std::vector<std::uint64_t> free_ids_;
  std::uint64_t next_id_ = 0;
  std::uint64_t emitted_ = 0;
};

std::vector<ProfileInfo> infos() {
  std::vector<ProfileInfo> v;
  for (const auto& p : registry()) {
    ProfileInfo i = p.info;
    if (i.sizes.empty()) i.sizes = default_sizes(i.name, i.sizes).describe();
    v.push_back(std::move(i));
  }
  return v;
}

}  // namespace

const std::vector<ProfileInfo>& profiles() {
  static const std::vector<ProfileInfo> v = infos();
  return v;
}

const ProfileInfo* find_profile(std::string_view name) {
  for (const auto& p : profiles()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::unique_ptr<TraceReader> make_generator(const GenOptions& options) {
  for (const auto& p : registry()) {
    if (p.info.name == options.profile) return std::make_unique<WorkloadGenerator>(p, options);
  }
  std::string names;
  for (const auto& p : registry()) names += (names.empty() ? "" : ", ") + p.info.name;
  throw std::invalid_argument("unknown profile \"" + options.profile + "\" (profiles: " + names + ")");
}

}  // namespace fa32::traces
