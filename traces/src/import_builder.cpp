// SPDX-License-Identifier: GPL-3.0-or-later
#include <string>

#include "fa32/traces/import.hpp"

namespace fa32::traces {
namespace {
constexpr std::size_t kBatch = 4096;
}

void ImportStats::add_to(std::map<std::string, std::string>& metadata, const std::string& prefix) const {
  auto put = [&](const char* key, std::uint64_t v) { metadata[prefix + key] = std::to_string(v); };
  put("events", events);
  for (int i = 0; i < op_count; ++i) {
    metadata[prefix + "events." + std::string(op_name(static_cast<Op>(i)))] = std::to_string(by_op[i]);
  }
  put("unknown_frees", unknown_frees);
  put("unknown_reallocs", unknown_reallocs);
  put("failed_allocations", failed);
  put("reused_live_addresses", reused_live);
  put("threads", threads);
  put("live_at_end", live_at_end);
  // Only logalloc logs hold other processes: other traces keep their keys.
  if (other_processes != 0) put("other_process_lines", other_processes);
  if (incomplete_last_line != 0) put("incomplete_last_line", incomplete_last_line);
}

std::string ImportStats::summary() const {
  std::string s = std::to_string(events) + " events (";
  for (int i = 0; i < op_count; ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(by_op[i]) + " " + std::string(op_name(static_cast<Op>(i)));
  }
  s += ") in " + std::to_string(threads) + " thread(s), " + std::to_string(live_at_end) + " live at the end";
  s += "; " + std::to_string(unknown_frees) + " free(s) of unknown addresses dropped";
  if (unknown_reallocs != 0) {
    s += ", " + std::to_string(unknown_reallocs) + " realloc(s) of unknown addresses kept as malloc";
  }
  if (failed != 0) s += ", " + std::to_string(failed) + " failed allocation(s) dropped";
  if (reused_live != 0) s += ", " + std::to_string(reused_live) + " allocation(s) at a still-live address";
  if (other_processes != 0)
    s += ", " + std::to_string(other_processes) + " line(s) of other processes skipped";
  if (incomplete_realloc) {
    s +=
        "; the log ends inside a realloc, after its \"<\" line: the realloc was dropped, its block left live";
  } else if (incomplete_last_line != 0) {
    s += "; the log ends inside a line, which was dropped";
  }
  return s;
}

ImportBuilder::ImportBuilder(TraceWriter* out) : out_(out) {
  batch_.reserve(kBatch);
}

std::uint32_t ImportBuilder::thread(std::uint64_t key) {
  if (last_thread_ != 0 && key == last_thread_key_) return last_thread_;
  auto [it, inserted] = threads_.try_emplace(key, static_cast<std::uint32_t>(threads_.size() + 1));
  if (inserted) stats_.threads = threads_.size();
  last_thread_key_ = key;
  last_thread_ = it->second;
  return it->second;
}

std::uint64_t ImportBuilder::take_id() {
  if (!free_ids_.empty()) {
    std::uint64_t id = free_ids_.back();
    free_ids_.pop_back();
    return id;
  }
  return next_id_++;
}

void ImportBuilder::emit(const Event& e) {
  ++stats_.events;
  ++stats_.by_op[static_cast<std::size_t>(e.op)];
  last_ = e;
  if (out_ == nullptr) return;
  batch_.push_back(e);
  if (batch_.size() == kBatch) {
    out_->write(batch_);
    batch_.clear();
  }
}

void ImportBuilder::alloc(Op op, std::uint32_t thread, std::uint64_t addr, std::uint64_t size,
                          std::uint64_t count, std::uint64_t alignment, std::uint64_t time_ns) {
  if (addr == 0) {
    ++stats_.failed;
    return;
  }
  std::uint64_t id = take_id();
  if (!live_.insert(addr, id)) {
    // The earlier allocation at this address was never seen freed: it stays
    // live (a leak) under its own id.
    ++stats_.reused_live;
    ++orphaned_;
  }
  Event e;
  e.op = op;
  e.thread = thread;
  e.id = id;
  e.size = size;
  e.count = op == Op::calloc ? count : 1;
  e.alignment = op == Op::aligned_alloc ? alignment : 0;
  e.time_ns = time_ns;
  emit(e);
}

void ImportBuilder::free(std::uint32_t thread, std::uint64_t addr, std::uint64_t time_ns) {
  if (addr == 0) {
    ++stats_.ignored;
    return;
  }
  std::uint64_t id = 0;
  if (!live_.erase(addr, &id)) {
    ++stats_.unknown_frees;
    return;
  }
  Event e;
  e.op = Op::free;
  e.thread = thread;
  e.id = id;
  e.time_ns = time_ns;
  free_ids_.push_back(id);
  emit(e);
}

void ImportBuilder::realloc_begin(std::uint32_t thread, std::uint64_t old_addr) {
  Pending p;
  p.old_addr = old_addr;
  std::uint64_t id = 0;
  if (old_addr != 0 && live_.erase(old_addr, &id)) p.id = id;
  pending_[thread] = p;
}

void ImportBuilder::realloc_end(std::uint32_t thread, std::uint64_t old_addr, std::uint64_t new_addr,
                                std::uint64_t size, std::uint64_t time_ns) {
  Pending p;
  auto it = pending_.find(thread);
  if (it != pending_.end() && it->second.old_addr == old_addr) {
    p = it->second;
    pending_.erase(it);
  } else {
    // No matching begin (a hand-written log, say): look the address up now.
    std::uint64_t id = 0;
    if (old_addr != 0 && live_.erase(old_addr, &id)) p.id = id;
  }
  if (new_addr == 0) {
    // Failed: the old block is untouched.
    ++stats_.failed;
    if (p.id) live_.insert(old_addr, *p.id);
    return;
  }
  if (!p.id) {
    ++stats_.unknown_reallocs;
    alloc(Op::malloc, thread, new_addr, size, 1, 0, time_ns);
    return;
  }
  if (!live_.insert(new_addr, *p.id)) {
    ++stats_.reused_live;
    ++orphaned_;
  }
  Event e;
  e.op = Op::realloc;
  e.thread = thread;
  e.id = *p.id;
  e.size = size;
  e.time_ns = time_ns;
  emit(e);
}

void ImportBuilder::forget_addresses() {
  orphaned_ += live_.size();
  live_.clear();
  pending_.clear();
}

void ImportBuilder::flush() {
  if (out_ != nullptr && !batch_.empty()) {
    out_->write(batch_);
    batch_.clear();
  }
}

const ImportStats& ImportBuilder::finish() {
  flush();
  stats_.live_at_end = live_.size() + orphaned_;
  for (const auto& [thread, p] : pending_) {
    if (p.id) ++stats_.live_at_end;
  }
  stats_.id_bound = next_id_;
  return stats_;
}

}  // namespace fa32::traces
