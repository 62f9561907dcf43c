// The one fuzz entry for the importers, driven as `fa32 import` drives them
// (cmd_import.cpp) on a regular file: a counting pass whose totals go into
// the header, then the writing pass. Whatever the bytes, the import either
// throws TraceError from the first pass or writes a trace; anything else (the
// two passes disagreeing, a writer refusing what the builder emitted, a
// trace that does not read back as written or whose ids are not used as
// the validator expects, a crash, a sanitizer report, a hang) is a bug.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "fa32/traces/import.hpp"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/validate.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces::fuzz {

inline int fuzz_import(const std::uint8_t* data, std::size_t size, ImportFormat from) {
  const std::string log(reinterpret_cast<const char*>(data), size);
  TraceHeader header;
  header.metadata["producer"] = std::string("fa32 import --from ") + std::string(import_format_name(from));
  header.metadata["source"] = "fuzz.log";
  ImportStats counted;
  try {
    std::istringstream in(log);
    ImportBuilder counter(nullptr);
    import_log(from, in, "fuzz.log", counter);
    counted = counter.finish();
  } catch (const TraceError&) {
    return 0;
  }
  header.event_count = counted.events;
  header.id_bound = counted.id_bound;
  counted.add_to(header.metadata, "");

  for (Format format : {Format::binary, Format::jsonl, Format::json}) {
    std::ostringstream out;
    auto writer = create_writer(out, format, header);
    ImportBuilder builder(writer.get());
    std::istringstream in(log);
    // The same log again: an error now would be one the first pass missed.
    import_log(from, in, "fuzz.log", builder);
    const ImportStats& s = builder.finish();
    writer->finish();
    if (s.events != counted.events || s.id_bound != counted.id_bound ||
        s.live_at_end != counted.live_at_end || writer->events_written() != s.events) {
      std::abort();
    }

    // Read back: the header as written, every event, ids used as allocated.
    const std::string trace = out.str();
    auto r = open_trace_bytes(trace, "imported");
    if (r->format() != format || !(r->header() == header)) std::abort();
    Validator v;
    std::uint64_t events = 0;
    bool clean = true;
    std::vector<Event> batch(64);
    while (std::size_t n = r->read(batch)) {
      for (std::size_t i = 0; i < n; ++i) {
        if (batch[i].id >= s.id_bound) std::abort();
        auto err = v.check(batch[i]);
        if (!err) continue;
        clean = false;
        // A log may hold any size or alignment a program asked for; the
        // importer alone decides the ids, which must always be consistent.
        if (err->code != ValidationCode::size_too_large && err->code != ValidationCode::calloc_overflow &&
            err->code != ValidationCode::bad_alignment) {
          std::abort();
        }
      }
      events += n;
    }
    if (events != s.events) std::abort();
    if (clean && v.summary().live_count != s.live_at_end) std::abort();
  }
  return 0;
}

}  // namespace fa32::traces::fuzz
