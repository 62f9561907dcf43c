// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "fa32/traces/generate.hpp"
#include "fa32/traces/validate.hpp"
#include "trace_test_util.hpp"

using namespace fa32::traces;
using namespace fa32::traces::test;

namespace {
std::vector<Event> generate(GenOptions g) {
  auto gen = make_generator(g);
  return read_all(*gen, 1000);
}
}  // namespace

TEST_CASE("the PRNG is xoshiro256** seeded by splitmix64") {
  // Reference values computed from the published algorithms for seed 0.
  std::uint64_t x = 0;
  CHECK(Rng::splitmix64(x) == 0xe220a8397b1dcdafULL);
  Rng a(42), b(42), c(43);
  bool differ = false;
  for (int i = 0; i < 100; ++i) {
    std::uint64_t va = a.next();
    CHECK(va == b.next());
    differ = differ || va != c.next();
  }
  CHECK(differ);
  Rng r(1);
  for (int i = 0; i < 1000; ++i) {
    CHECK(r.below(7) < 7);
    auto v = r.between(10, 12);
    CHECK((v >= 10 && v <= 12));
    double u = r.unit();
    CHECK((u >= 0 && u < 1));
  }
}

TEST_CASE("every profile is deterministic, valid, exactly N events, ids below id_bound") {
  for (const auto& p : profiles()) {
    CAPTURE(p.name);
    GenOptions g;
    g.profile = p.name;
    g.events = 20001;
    g.seed = 7;
    auto gen = make_generator(g);
    auto a = read_all(*gen, 333);
    CHECK(a.size() == 20001);
    CHECK(gen->header().event_count == 20001);
    CHECK(a == generate(g));
    g.seed = 8;
    CHECK(a != generate(g));
    Validator v;
    std::uint64_t bound = gen->header().id_bound;
    std::uint64_t errors = 0, over = 0;
    for (const auto& e : a) {
      if (v.check(e)) ++errors;
      if (e.id >= bound) ++over;
    }
    CHECK(errors == 0);
    CHECK(over == 0);
    CHECK(v.summary().live_count == 0);  // everything freed at the end
    CHECK(gen->header().metadata.at("profile") == p.name);
  }
}

TEST_CASE("unknown profiles and bad options are rejected") {
  GenOptions g;
  g.profile = "nope";
  CHECK_THROWS_WITH_AS(make_generator(g), doctest::Contains("unknown profile \"nope\""),
                       std::invalid_argument);
  g.profile = "small-churn";
  g.live = 0;
  CHECK_THROWS_AS(make_generator(g), std::invalid_argument);
  g.live.reset();
  g.realloc_share = 1.0;
  CHECK_THROWS_AS(make_generator(g), std::invalid_argument);
  g.realloc_share.reset();
  g.threads = 0;
  CHECK_THROWS_AS(make_generator(g), std::invalid_argument);
  g.threads.reset();
  g.events = 0;
  CHECK_THROWS_WITH_AS(make_generator(g), "--events must be at least 1", std::invalid_argument);
}

// One event allocates and cannot free: it wrote a malloc left live at the
// end, with nothing in the header saying so, where the default frees all.
TEST_CASE("one event needs --leaks 1 or --no-free") {
  GenOptions g;
  g.events = 1;
  CHECK_THROWS_WITH_AS(make_generator(g), doctest::Contains("--events 1 cannot free the allocation it makes"),
                       std::invalid_argument);
  for (const bool leak : {true, false}) {
    CAPTURE(leak);
    g.leaks = leak ? 1 : 0;
    g.free_at_end = leak;  // else --no-free
    auto gen = make_generator(g);
    CHECK(gen->header().event_count == 1);
    CHECK(gen->header().metadata.at("end") == (leak ? "leak 1" : "leave all live"));
    const auto events = read_all(*gen, 16);
    REQUIRE(events.size() == 1);
    CHECK(events[0].op == Op::malloc);
  }
}

// 2 * --live wrapped around: --live 2^63 + 1 gave id_bound 2, and fa32 gen
// failed with "id 2 is not below the header's id_bound 2".
TEST_CASE("a --live whose double does not fit 64 bits still bounds the ids") {
  for (std::uint64_t live : {(std::uint64_t{1} << 63) + 1, UINT64_MAX}) {
    CAPTURE(live);
    GenOptions g;
    g.events = 1000;
    g.live = live;
    auto gen = make_generator(g);
    const std::uint64_t bound = gen->header().id_bound;
    CHECK(bound >= 2);
    auto events = read_all(*gen);
    REQUIRE(events.size() == 1000);
    for (const auto& e : events) REQUIRE(e.id < bound);
    // The writer holds the trace to its header's promise.
    std::ostringstream out;
    auto w = create_writer(out, Format::binary, gen->header());
    CHECK_NOTHROW(w->write(events));
    CHECK_NOTHROW(w->finish());
  }
}

TEST_CASE("the live set stays around the size asked for") {
  for (std::uint64_t live : {50, 1000, 5000}) {
    CAPTURE(live);
    GenOptions g;
    g.events = 200000;
    g.live = live;
    auto events = generate(g);
    Validator v;
    double sum = 0;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      v.check(events[i]);
      // Average over the steady middle: after the ramp-up, before the drain.
      if (i > 4 * live && i < events.size() - 4 * live) {
        sum += static_cast<double>(v.summary().live_count);
        ++n;
      }
    }
    double mean = sum / static_cast<double>(n);
    CHECK(mean > 0.9 * static_cast<double>(live));
    CHECK(mean < 1.1 * static_cast<double>(live));
    CHECK(v.summary().peak_live_count <= 2 * live);
  }
}

TEST_CASE("size distributions have the shape asked for") {
  Rng rng(3);
  SUBCASE("fixed") {
    auto d = SizeDistribution::parse("fixed:48");
    for (int i = 0; i < 100; ++i) CHECK(d.sample(rng) == 48);
  }
  SUBCASE("uniform: every size in range, mean in the middle, roughly flat") {
    auto d = SizeDistribution::parse("uniform:8-15");
    std::map<std::uint64_t, int> hist;
    for (int i = 0; i < 80000; ++i) ++hist[d.sample(rng)];
    CHECK(hist.size() == 8);
    CHECK(hist.begin()->first == 8);
    CHECK(hist.rbegin()->first == 15);
    for (auto [s, c] : hist) CHECK(std::abs(c - 10000) < 600);
  }
  SUBCASE("power law: frequencies fall as s^-alpha") {
    auto d = SizeDistribution::parse("power:1-1000:2");
    int ones = 0, twos = 0, bigs = 0;
    for (int i = 0; i < 100000; ++i) {
      auto s = d.sample(rng);
      CHECK((s >= 1 && s <= 1000));
      ones += s == 1;
      twos += s == 2;
      bigs += s >= 100;
    }
    // For alpha 2, P(1) ~ 1/2, P(2) ~ 1/6, P(>=100) ~ 1/100.
    CHECK(std::abs(ones - 50000) < 1500);
    CHECK(std::abs(twos - 16667) < 1000);
    CHECK(bigs < 1500);
  }
  SUBCASE("power law near 2^64: the top of the range, never a converted 2^64") {
    // lo is 2^64 - 2048, whose next double up is 2^64: a draw rounded up to
    // it was converted to 64 bits, which is undefined (x86 gives 0, so every
    // such draw came out as lo).
    auto d = SizeDistribution::parse("power:18446744073709549568-18446744073709551615:1");
    int top = 0;
    for (int i = 0; i < 1000; ++i) {
      const std::uint64_t s = d.sample(rng);
      CHECK(s >= 18446744073709549568ULL);
      top += s == UINT64_MAX;
    }
    CHECK(top > 0);
  }
  SUBCASE("histogram from JSON, both spellings") {
    for (const char* spec : {"hist:[[16,3],[64,1]]", "hist:{\"16\":3,\"64\":1}"}) {
      auto d = SizeDistribution::parse(spec);
      int small = 0, large = 0;
      for (int i = 0; i < 40000; ++i) {
        auto s = d.sample(rng);
        small += s == 16;
        large += s == 64;
      }
      CHECK(small + large == 40000);
      CHECK(std::abs(small - 30000) < 600);
    }
  }
  SUBCASE("bad specs") {
    for (const char* spec :
         {"", "fixed:", "fixed:x", "uniform:9-3", "uniform:5", "power:0-10", "power:1-10:-1", "hist:[[1]]",
          "hist:[]", "hist:{\"a\":1}", "hist:nope", "gauss:1-2",
          // Each weight finite, their sum not: every sample was the last size.
          "hist:[[16,1e308],[32,1e308]]",
          // A size given twice: the parser kept the last weight, silently.
          "hist:{\"16\":1,\"32\":1,\"16\":5}"}) {
      CAPTURE(spec);
      CHECK_THROWS_AS(SizeDistribution::parse(spec), std::invalid_argument);
    }
  }
}

TEST_CASE("generated sizes follow the --sizes override") {
  GenOptions g;
  g.events = 20000;
  g.sizes = SizeDistribution::parse("uniform:100-200");
  for (const auto& e : generate(g)) {
    if (e.op == Op::malloc) CHECK((e.size >= 100 && e.size <= 200));
  }
}

// A calloc splits the size drawn into COUNT elements. Rounding each element
// up asked for bytes the distribution never gives (513 for crypto-vm's
// 512, 1 to 4 for a size of 0), and wrapped for a size near 2^64.
TEST_CASE("a calloc asks for exactly the size drawn, in 1 to 4 elements") {
  std::map<std::uint64_t, int> counts;
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{385}, std::uint64_t{512},
                             std::uint64_t{1} << 63, UINT64_MAX - 1, UINT64_MAX}) {
    CAPTURE(size);
    GenOptions g;
    g.profile = "crypto-vm";  // a fifth of its allocations are callocs
    g.events = 400;
    g.sizes = SizeDistribution::fixed(size);
    int callocs = 0;
    __extension__ using u128 = unsigned __int128;
    for (const auto& e : generate(g)) {
      if (e.op != Op::calloc) continue;
      ++callocs;
      ++counts[e.count];
      CHECK((e.count >= 1 && e.count <= 4));
      CHECK(u128{e.size} * e.count == size);
    }
    CHECK(callocs > 0);
  }
  CHECK(counts.size() == 4);  // every count from 1 to 4 is used
}

TEST_CASE("crypto-vm's allocations are exactly its histogram's sizes") {
  GenOptions g;
  g.profile = "crypto-vm";
  g.events = 20000;
  std::map<std::uint64_t, int> seen;
  for (const auto& e : generate(g)) {
    if (e.op == Op::malloc || e.op == Op::calloc) ++seen[e.size * e.count];
  }
  CHECK(seen.size() == 8);
  for (const auto& kv : seen) {
    const std::uint64_t size = kv.first;  // a structured binding: clang's CAPTURE cannot take one
    CAPTURE(size);
    CHECK((size == 32 || size == 48 || size == 64 || size == 96 || size == 128 || size == 256 ||
           size == 384 || size == 512));
  }
}

TEST_CASE("realloc share, threads, leaks and leave-everything-live") {
  GenOptions g;
  g.events = 50000;
  g.realloc_share = 0.25;
  g.threads = 3;
  auto events = generate(g);
  std::size_t reallocs = 0;
  std::map<std::uint32_t, int> threads;
  for (const auto& e : events) {
    reallocs += e.op == Op::realloc;
    ++threads[e.thread];
  }
  CHECK(std::abs(static_cast<double>(reallocs) / 50000.0 - 0.25) < 0.02);
  CHECK(threads.size() == 3);
  CHECK(threads.count(0) == 0);

  g = GenOptions{};
  g.events = 10000;
  g.leaks = 17;
  Validator v;
  for (const auto& e : generate(g)) CHECK_FALSE(v.check(e));
  CHECK(v.summary().live_count == 17);
  CHECK(v.summary().events == 10000);

  g.leaks = 0;
  g.free_at_end = false;
  Validator all;
  for (const auto& e : generate(g)) all.check(e);
  CHECK(all.summary().live_count > 500);
}

// --leaks above what was live at the end wrote "end: leak N" in the
// metadata while fewer were live: the end now allocates up to N.
TEST_CASE("--leaks N leaves exactly N live, also above the live set, and refuses more than --events") {
  for (std::uint64_t leaks : {0ULL, 1ULL, 99ULL, 100ULL, 150ULL, 4000ULL, 10000ULL}) {
    CAPTURE(leaks);
    GenOptions g;
    g.events = 10000;
    g.live = 100;
    g.leaks = leaks;
    auto gen = make_generator(g);
    if (leaks) CHECK(gen->header().metadata.at("end") == "leak " + std::to_string(leaks));
    const std::uint64_t bound = gen->header().id_bound;
    Validator v;
    for (const auto& e : read_all(*gen, 1000)) {
      CHECK_FALSE(v.check(e));
      CHECK(e.id < bound);
    }
    CHECK(v.summary().events == 10000);
    CHECK(v.summary().live_count == leaks);
  }
  GenOptions g;
  g.events = 10;
  g.leaks = 11;
  CHECK_THROWS_WITH_AS(make_generator(g),
                       "--leaks 11 is more than --events 10: each leaked allocation takes an event",
                       std::invalid_argument);
  g.free_at_end = false;  // --no-free leaves everything live: --leaks is moot
  CHECK_NOTHROW(make_generator(g));
}

TEST_CASE("realloc-growth doubles buffers up to 64 KiB") {
  GenOptions g;
  g.profile = "realloc-growth";
  g.events = 30000;
  std::map<std::uint64_t, std::uint64_t> size;
  std::uint64_t max = 0;
  for (const auto& e : generate(g)) {
    if (e.op == Op::malloc) {
      CHECK(e.size == 16);
    } else if (e.op == Op::realloc) {
      CHECK(e.size == 2 * size[e.id]);
    }
    size[e.id] = e.size;
    max = std::max(max, e.size);
  }
  CHECK(max == 65536);
}

TEST_CASE("larson frees half its objects on another thread") {
  GenOptions g;
  g.profile = "larson";
  g.events = 40000;
  std::map<std::uint64_t, std::uint32_t> owner;
  int frees = 0, cross = 0;
  for (const auto& e : generate(g)) {
    if (e.op == Op::free) {
      ++frees;
      cross += owner[e.id] != e.thread;
    } else {
      owner[e.id] = e.thread;
    }
  }
  CHECK(std::abs(static_cast<double>(cross) / frees - 0.5) < 0.03);
}

TEST_CASE("profiles are documented") {
  CHECK(profiles().size() >= 9);
  for (const auto& p : profiles()) {
    CHECK_FALSE(p.summary.empty());
    CHECK_FALSE(p.imitates.empty());
    CHECK_FALSE(p.sizes.empty());
    CHECK(find_profile(p.name) == &p);
  }
  CHECK(find_profile("nope") == nullptr);
}

// `fa32 gen larson --threads 1` wrote no "threads" key, as if larson's own
// 4 threads had made the trace, and `realloc-growth --realloc-share 0` no
// "realloc_share", as if its 0.6 had: the header hid the options that made
// the trace. An option that overrides the profile is written, even when off.
TEST_CASE("the metadata names --threads 1 and --realloc-share 0 when they override the profile") {
  GenOptions g;
  g.profile = "larson";
  g.threads = 1;
  auto gen = make_generator(g);
  CHECK(gen->header().metadata.at("threads") == "1");

  g = GenOptions{};
  g.profile = "realloc-growth";
  g.realloc_share = 0;
  gen = make_generator(g);
  CHECK(gen->header().metadata.at("realloc_share") == "0");

  // The profiles' own values stay as they were: no key for 1 thread or no reallocs.
  g = GenOptions{};
  gen = make_generator(g);
  CHECK(gen->header().metadata.count("threads") == 0);
  CHECK(gen->header().metadata.count("realloc_share") == 0);
  g.profile = "larson";
  gen = make_generator(g);
  CHECK(gen->header().metadata.at("threads") == "4");
}

// The metadata gave --realloc-share 0.12345678901 as "0.123457" and
// power:1-100000:1.23456789 as "power:1-100000:1.23457" (six digits), so
// the options the header names did not make the trace again.
TEST_CASE("the metadata gives --realloc-share and a power-law exponent exactly") {
  GenOptions g;
  g.events = 20000;
  g.realloc_share = 0.12345678901;
  g.sizes = SizeDistribution::parse("power:1-100000:1.23456789");
  auto gen = make_generator(g);
  const auto& meta = gen->header().metadata;
  CHECK(meta.at("realloc_share") == "0.12345678901");
  CHECK(meta.at("sizes") == "power:1-100000:1.23456789");
  GenOptions again = g;
  again.realloc_share = std::stod(meta.at("realloc_share"));
  again.sizes = SizeDistribution::parse(meta.at("sizes"));
  CHECK(generate(g) == generate(again));
  // The profiles' values read as before.
  CHECK(SizeDistribution::parse("power:8-4096:1.3").describe() == "power:8-4096:1.3");
  CHECK(SizeDistribution::parse("power:16-16384:1").describe() == "power:16-16384:1");
}

// `fa32 gen fragmentation --sizes fixed:32` wrote "sizes": "fixed:32" in
// the header while its long-lived allocations (3 in 10) kept the profile's
// 16 B-16 KiB; and without --sizes the header named the short-lived sizes only.
TEST_CASE("--sizes sets every request size, fragmentation's long-lived ones too") {
  GenOptions g;
  g.profile = "fragmentation";
  g.events = 5000;
  g.sizes = SizeDistribution::fixed(32);
  std::size_t other = 0;
  for (const auto& e : generate(g)) other += e.op != Op::free && e.size != 32;
  CHECK(other == 0);
  g.sizes.reset();
  auto gen = make_generator(g);
  CHECK(gen->header().metadata.at("sizes") == "uniform:16-64");
  CHECK(gen->header().metadata.at("long_sizes") == "power:16-16384:1");
  // A profile without long-lived sizes has no such key.
  g.profile = "small-churn";
  CHECK(make_generator(g)->header().metadata.count("long_sizes") == 0);
}

// --sizes hist:@FILE read the whole file into memory, however large:
// hist:@/dev/zero took memory until the process was killed. A file is now
// read up to 16 MiB (a histogram of some 800,000 sizes) and refused past it.
TEST_CASE("--sizes hist:@FILE refuses a file over 16 MiB, /dev/zero included") {
  const auto path =
      std::filesystem::temp_directory_path() / ("fa32_traces_hist." + std::to_string(::getpid()) + ".json");
  constexpr std::size_t kLimit = std::size_t{16} << 20;
  {
    std::ofstream f(path);
    f << "[[16,1]]" << std::string(kLimit, ' ');  // valid JSON, one byte over the limit with its padding
  }
  const std::string spec = "hist:@" + path.string();
  CHECK_THROWS_WITH_AS(SizeDistribution::parse(spec), doctest::Contains("larger than 16 MiB"),
                       std::invalid_argument);
  std::filesystem::resize_file(path, kLimit);  // at the limit: read
  CHECK(SizeDistribution::parse(spec).describe() == "hist:[[16,1]]");
  std::filesystem::remove(path);
  if (std::filesystem::exists("/dev/zero"))
    CHECK_THROWS_WITH_AS(SizeDistribution::parse("hist:@/dev/zero"), doctest::Contains("larger than 16 MiB"),
                         std::invalid_argument);
}
