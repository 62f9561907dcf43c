// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/tune/trace_profile.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/validate.hpp"

namespace fa32::app::tune {
namespace {

using replay::ReplayEvent;
using traces::Op;

bool allocates(const ReplayEvent& e) {
  return e.op() == Op::malloc || e.op() == Op::calloc || e.op() == Op::aligned_alloc;
}

std::string prefixed(const std::string& source, const std::string& message) {
  return message.rfind(source, 0) == 0 ? message : source + ": " + message;
}

}  // namespace

replay::LoadedTrace load_checked(const std::string& path) {
  std::unique_ptr<traces::TraceReader> reader;
  try {
    reader = traces::open_trace(path);
  } catch (const traces::TraceError& e) {
    throw InputError(prefixed(path, e.what()));
  }
  replay::LoadedTrace out;
  out.header = reader->header();
  out.source = reader->source();
  out.format = reader->format();
  // Checked here rather than by the first replay: tune replays many
  // candidates, and a trace that is wrong is wrong for all of them.
  traces::Validator validator;
  std::vector<traces::Event> buf(4096);
  std::uint64_t index = 0;
  try {
    for (;;) {
      const std::size_t n = reader->read(buf);
      if (n == 0) break;
      out.events.reserve(out.events.size() + n);
      for (std::size_t i = 0; i < n; ++i, ++index) {
        if (auto err = validator.check(buf[i]))
          throw InputError(out.source + ": invalid trace: " + err->message);
        const ReplayEvent ev = replay::to_replay_event(buf[i], index);
        out.max_id = std::max(out.max_id, ev.id());
        out.events.push_back(ev);
      }
    }
  } catch (const traces::TraceError& e) {
    throw InputError(prefixed(out.source, e.what()));
  }
  return out;
}

TraceProfile profile_events(std::span<const ReplayEvent> events) {
  TraceProfile p;
  p.events = events.size();
  std::unordered_map<std::uint64_t, std::uint64_t> live;  // id -> size
  std::unordered_map<std::uint64_t, std::uint64_t> live_by_size;
  std::uint64_t live_bytes = 0;
  std::vector<std::uint64_t> bursts;
  std::uint64_t burst = 0;
  auto add = [&](std::uint64_t id, std::uint64_t size) {
    live[id] = size;
    live_bytes += size;
    ++p.allocations;
    SizeStats& s = p.sizes[size];
    ++s.requests;
    s.peak_live = std::max(s.peak_live, ++live_by_size[size]);
    p.peak_live_blocks = std::max<std::uint64_t>(p.peak_live_blocks, live.size());
    p.peak_live_bytes = std::max(p.peak_live_bytes, live_bytes);
  };
  auto remove = [&](std::uint64_t id) {
    const auto it = live.find(id);
    if (it == live.end()) return;  // load_checked rejects such traces; a split part may still hold one
    live_bytes -= it->second;
    --live_by_size[it->second];
    live.erase(it);
  };
  for (const ReplayEvent& e : events) {
    const bool frees = e.op() == Op::free || (e.op() == Op::realloc && e.size == 0);
    if (frees) {
      ++burst;
    } else if (burst != 0) {
      bursts.push_back(burst);
      burst = 0;
    }
    if (allocates(e)) {
      add(e.id(), e.size);
    } else if (e.op() == Op::free) {
      remove(e.id());
    } else if (e.op() == Op::realloc) {
      remove(e.id());
      if (e.size != 0) add(e.id(), e.size);
    }
  }
  if (burst != 0) bursts.push_back(burst);
  if (!bursts.empty()) {
    std::sort(bursts.begin(), bursts.end());
    p.free_burst_max = bursts.back();
    const auto at = static_cast<std::size_t>(std::ceil(0.99 * double(bursts.size()))) - 1;
    p.free_burst_p99 = bursts[std::min(at, bursts.size() - 1)];
  }
  return p;
}

SplitTrace split_events(std::span<const ReplayEvent> events, double holdout) {
  SplitTrace out;
  const auto cut = static_cast<std::size_t>(std::llround(double(events.size()) * (1.0 - holdout)));
  const std::size_t tune_end = std::min(cut, events.size());
  out.tune.reserve(tune_end);
  std::unordered_map<std::uint64_t, std::uint64_t> live;
  for (std::size_t i = 0; i < tune_end; ++i) {
    const ReplayEvent& e = events[i];
    out.tune.push_back(e);
    // A realloc to 0 keeps its id live (0 bytes), as in the replay: the
    // holdout part must allocate it again, or its later free is an error.
    if (allocates(e) || e.op() == Op::realloc) {
      live[e.id()] = e.size;
    } else if (e.op() == Op::free) {
      live.erase(e.id());
    }
  }
  if (tune_end == events.size()) return out;
  // In id order, so the holdout part is the same on every run.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> at_cut(live.begin(), live.end());
  std::sort(at_cut.begin(), at_cut.end());
  out.holdout.reserve(at_cut.size() + (events.size() - tune_end));
  for (const auto& [id, size] : at_cut) out.holdout.push_back(ReplayEvent::make(Op::malloc, id, size));
  for (std::size_t i = tune_end; i < events.size(); ++i) out.holdout.push_back(events[i]);
  return out;
}

}  // namespace fa32::app::tune
