// The raw-file converter on hand-made raw files: torn records, every
// record kind, a realloc whose old address another thread reuses before
// the realloc returns, exec images, bad files.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "fa32/app/record/convert_raw.hpp"
#include "fa32/record/raw_format.h"
#include "record_test_util.hpp"

using fa32::test::Expected;
using fa32::traces::Op;

namespace {

fa32_raw_record rec(uint8_t op, uint64_t ptr, uint64_t size, uint64_t arg, uint32_t tid,
                    bool committed = true) {
  fa32_raw_record r{};
  r.op = op;
  r.ptr = ptr;
  r.size = size;
  r.arg = arg;
  r.tid = tid;
  r.time_ns = 1000;
  r.commit = committed ? FA32_RAW_COMMIT : 0;
  return r;
}

void write_raw(const std::string& path, int64_t pid, uint32_t gen,
               const std::vector<fa32_raw_record>& records, uint64_t reserved_extra = 0) {
  std::vector<char> bytes(FA32_RAW_HEADER_SIZE + records.size() * sizeof(fa32_raw_record) + 4096, 0);
  fa32_raw_header h{};
  std::memcpy(h.magic, FA32_RAW_MAGIC, sizeof h.magic);
  h.version = FA32_RAW_VERSION;
  h.header_size = FA32_RAW_HEADER_SIZE;
  h.record_size = sizeof(fa32_raw_record);
  h.exec_generation = gen;
  h.pid = pid;
  h.ppid = 1;
  h.start_monotonic_ns = 500;
  h.next_index = records.size() + reserved_extra;
  const char cmd[] = "prog\0arg";
  std::memcpy(h.cmdline, cmd, sizeof cmd);
  h.cmdline_size = sizeof cmd;
  std::memcpy(bytes.data(), &h, sizeof h);
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::memcpy(bytes.data() + FA32_RAW_HEADER_SIZE + i * sizeof(fa32_raw_record), &records[i],
                sizeof(fa32_raw_record));
  }
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("raw conversion: every record kind, torn records skipped and counted") {
  const std::string dir = fa32::test::fresh_dir("convert_kinds");
  write_raw(dir + "/raw.42.0", 42, 0,
            {
                rec(FA32_RAW_MALLOC, 0x1000, 10, 0, 42),
                rec(FA32_RAW_CALLOC, 0x2000, 8, 3, 42),
                rec(FA32_RAW_ALIGNED, 0x3000, 64, 32, 43),
                rec(FA32_RAW_MALLOC, 0x9000, 1, 0, 42, false),  // torn: never completed
                rec(FA32_RAW_REALLOC_BEGIN, 0, 100, 0x1000, 42),
                // Another thread is handed 0x1000 while the realloc runs.
                rec(FA32_RAW_MALLOC, 0x1000, 20, 0, 43),
                rec(FA32_RAW_REALLOC_END, 0x5000, 100, 0x1000, 42),
                rec(FA32_RAW_FREE, 0x1000, 0, 0, 43),
                rec(FA32_RAW_FREE, 0x7777, 0, 0, 42),     // unknown
                rec(FA32_RAW_MALLOC, 0, 1 << 30, 0, 42),  // failed
                rec(FA32_RAW_REALLOC_BEGIN, 0, 1 << 30, 0x2000, 42),
                rec(FA32_RAW_REALLOC_END, 0, 1 << 30, 0x2000, 42),  // failed: 0x2000 stays
                rec(FA32_RAW_FREE, 0x2000, 0, 0, 42),
                rec(FA32_RAW_FREE, 0x5000, 0, 0, 42),
            },
            2);  // two slots reserved by threads killed before writing anything
  auto processes = fa32::app::record::list_raw_files(dir);
  REQUIRE(processes.size() == 1);
  const std::string out = dir + "/t.fa32";
  auto r = fa32::app::record::convert_process(processes.at(42), out, {});
  CHECK(r.torn == 3);
  CHECK(r.stats.unknown_frees == 1);
  CHECK(r.stats.failed == 2);
  CHECK(r.stats.reused_live == 0);
  fa32::test::Trace t = fa32::test::read_trace(out);
  fa32::test::check_sequence(t.events, {
                                           {Op::malloc, "a", 10},
                                           {Op::calloc, "b", 8, 3},
                                           {Op::aligned_alloc, "c", 64, 1, 32},
                                           {Op::malloc, "d", 20},
                                           {Op::realloc, "a", 100},
                                           {Op::free, "d"},
                                           {Op::free, "b"},
                                           {Op::free, "a"},
                                       });
  CHECK(t.events[0].thread == 1);  // the process's main thread
  CHECK(t.events[2].thread == 2);
  CHECK(t.events[0].time_ns == 500);
  CHECK(t.header.metadata.at("record.torn_records") == "3");
  CHECK(t.header.metadata.at("record.image.0.command") == "prog arg");
  CHECK(t.header.event_count == 8);
}

TEST_CASE("raw conversion: exec images are concatenated, addresses forgotten between them") {
  const std::string dir = fa32::test::fresh_dir("convert_exec");
  write_raw(dir + "/raw.7.0", 7, 0, {rec(FA32_RAW_MALLOC, 0x1000, 10, 0, 7)});
  write_raw(dir + "/raw.7.1", 7, 1,
            {rec(FA32_RAW_MALLOC, 0x1000, 20, 0, 7), rec(FA32_RAW_FREE, 0x1000, 0, 0, 7)});
  auto processes = fa32::app::record::list_raw_files(dir);
  REQUIRE(processes.at(7).files.size() == 2);
  const std::string out = dir + "/t.fa32";
  auto r = fa32::app::record::convert_process(processes.at(7), out, {});
  CHECK(r.images == 2);
  CHECK(r.stats.reused_live == 0);
  CHECK(r.stats.live_at_end == 1);
  fa32::test::check_sequence(fa32::test::read_trace(out).events,
                             {{Op::malloc, "first", 10}, {Op::malloc, "second", 20}, {Op::free, "second"}});
}

TEST_CASE("raw conversion: a file that is not a raw recording is an error naming it") {
  const std::string dir = fa32::test::fresh_dir("convert_bad");
  std::ofstream(dir + "/raw.9.0") << std::string(5000, 'x');
  auto processes = fa32::app::record::list_raw_files(dir);
  CHECK_THROWS_WITH_AS(fa32::app::record::convert_process(processes.at(9), dir + "/t.fa32", {}),
                       doctest::Contains("raw.9.0: not a fa32 raw recording"), fa32::traces::TraceError);
  std::ofstream(dir + "/raw.9.0") << "short";
  CHECK_THROWS_WITH_AS(fa32::app::record::convert_process(processes.at(9), dir + "/t.fa32", {}),
                       doctest::Contains("shorter than its header"), fa32::traces::TraceError);
}
