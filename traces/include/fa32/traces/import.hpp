// Importers: traces other tools record (glibc mtrace, Mozilla logalloc)
// turned into fa32 events, plus the bookkeeping they share with the
// recorder's converter (addresses to dense recycled ids, counts of what had
// to be dropped).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fa32/traces/address_map.hpp"
#include "fa32/traces/event.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces {

// What an import kept and what it had to drop, for the user and for the
// trace's metadata.
struct ImportStats {
  std::uint64_t events = 0;
  std::array<std::uint64_t, op_count> by_op{};
  std::uint64_t unknown_frees = 0;         // free of an address never seen allocated (dropped)
  std::uint64_t unknown_reallocs = 0;      // realloc of an unknown address (kept as a malloc)
  std::uint64_t failed = 0;                // allocations/reallocs that returned NULL (dropped)
  std::uint64_t reused_live = 0;           // allocation at an address still live (the old one stays live)
  std::uint64_t ignored = 0;               // markers and records that describe no event
  std::uint64_t other_processes = 0;       // lines of processes not imported (also in ignored)
  std::uint64_t incomplete_last_line = 0;  // 1: the log ends inside a line, which was dropped
  bool incomplete_realloc = false;         // the log ends between a realloc's two lines (mtrace)
  std::uint64_t threads = 0;
  std::uint64_t live_at_end = 0;  // allocations never freed
  std::uint64_t id_bound = 0;     // largest id + 1

  // "key=value" pairs for TraceHeader::metadata ("import.unknown_frees", ...).
  void add_to(std::map<std::string, std::string>& metadata, const std::string& prefix) const;
  // One human line: "1234 events (...); 3 frees of unknown addresses dropped".
  std::string summary() const;
};

// Turns calls on raw addresses into events on dense ids. Ids are recycled
// (last freed, first reused) so a replayer's table stays as small as the
// peak number of live allocations. Events go to the writer in batches; a
// null writer only counts (the first pass of a two-pass import).
class ImportBuilder {
 public:
  explicit ImportBuilder(TraceWriter* out);
  ImportBuilder(const ImportBuilder&) = delete;
  ImportBuilder& operator=(const ImportBuilder&) = delete;

  // Dense thread number (1, 2, ...) for a tool's thread key, in order of
  // first appearance.
  std::uint32_t thread(std::uint64_t key);

  // addr 0 means the call failed (returned NULL).
  void alloc(Op op, std::uint32_t thread, std::uint64_t addr, std::uint64_t size, std::uint64_t count,
             std::uint64_t alignment, std::uint64_t time_ns);
  void free(std::uint32_t thread, std::uint64_t addr, std::uint64_t time_ns);
  // A realloc in two steps, so a recorder can log the old address as given
  // up before the call and the new one after it; between the two, another
  // thread may be handed the old address. new_addr 0: the realloc failed and
  // the old block stays where it was.
  void realloc_begin(std::uint32_t thread, std::uint64_t old_addr);
  void realloc_end(std::uint32_t thread, std::uint64_t old_addr, std::uint64_t new_addr, std::uint64_t size,
                   std::uint64_t time_ns);
  void realloc(std::uint32_t thread, std::uint64_t old_addr, std::uint64_t new_addr, std::uint64_t size,
               std::uint64_t time_ns) {
    realloc_begin(thread, old_addr);
    realloc_end(thread, old_addr, new_addr, size, time_ns);
  }
  void ignored() { ++stats_.ignored; }
  // The log's last line has no newline and does not parse: the program
  // was killed while writing it.
  void incomplete_last_line() { stats_.incomplete_last_line = 1; }
  // The log ends between the two lines of a realloc (mtrace's "<" and ">"):
  // reported as a cut last line, the realloc dropped and its block left live.
  void incomplete_last_realloc() {
    stats_.incomplete_last_line = 1;
    stats_.incomplete_realloc = true;
  }
  // A line of a process the import leaves out (logalloc logs hold several).
  void other_process() {
    ++stats_.ignored;
    ++stats_.other_processes;
  }
  // A new process image (exec): every address is forgotten; allocations
  // still live stay live (and leaked) under their ids.
  void forget_addresses();

  // Flushes buffered events to the writer (does not finish it) and returns
  // the final counts.
  const ImportStats& finish();
  // Hands the writer the events buffered so far, nothing more: for an import
  // that stops at a bad line, so the trace it leaves holds every event
  // before that line (it still reads as truncated, as the writer is not
  // finished).
  void flush();
  const ImportStats& stats() const { return stats_; }
  // The most recent event emitted (valid once stats().events > 0): lets a
  // caller note which input record produced which event.
  const Event& last_event() const { return last_; }

 private:
  struct Pending {
    std::uint64_t old_addr = 0;
    std::optional<std::uint64_t> id;
  };
  std::uint64_t take_id();
  void emit(const Event& e);

  TraceWriter* out_;
  std::vector<Event> batch_;
  AddressMap live_;  // address -> id
  std::vector<std::uint64_t> free_ids_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint32_t, Pending> pending_;  // thread -> realloc in progress
  std::unordered_map<std::uint64_t, std::uint32_t> threads_;
  std::uint64_t last_thread_key_ = 0;
  std::uint32_t last_thread_ = 0;
  std::uint64_t orphaned_ = 0;
  ImportStats stats_;
  Event last_;
};

enum class ImportFormat {
  mtrace,    // glibc mtrace() log (MALLOC_TRACE)
  logalloc,  // Mozilla logalloc text log, raw or munged
};
std::optional<ImportFormat> import_format_from_name(std::string_view name);
std::string_view import_format_name(ImportFormat f);

struct ImportOptions {
  // logalloc logs hold every process of a run: the one to import (0 = the
  // first one seen; a pid that no line has is an error). Lines of other
  // processes are counted in ImportStats::other_processes.
  std::uint64_t pid = 0;
};

// Reads a whole log, feeding events to builder. Throws TraceError naming
// name, the line number and what was wrong.
void import_mtrace(std::istream& in, const std::string& name, ImportBuilder& builder);
void import_logalloc(std::istream& in, const std::string& name, ImportBuilder& builder,
                     const ImportOptions& options = {});
void import_log(ImportFormat format, std::istream& in, const std::string& name, ImportBuilder& builder,
                const ImportOptions& options = {});

}  // namespace fa32::traces
