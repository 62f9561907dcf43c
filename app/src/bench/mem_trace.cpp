// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include "fa32/app/bench/workload_file.hpp"
#include "fa32/traces/validate.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::app::bench {

MemTrace::~MemTrace() {
  if (fd_ >= 0) close(fd_);
}

MemTrace::MemTrace(MemTrace&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      events_(other.events_),
      live_peak_(other.live_peak_) {}

MemTrace& MemTrace::operator=(MemTrace&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    events_ = other.events_;
    live_peak_ = other.live_peak_;
  }
  return *this;
}

MemTrace MemTrace::copy_of(traces::TraceReader& reader, const std::string& name) {
  // The memory file is fa32's own: an error naming only it ("memfd_create"
  // or "/proc/PID/fd/N", out of descriptors under ulimit -n) did not say
  // which trace, or what for.
  const auto cannot = [&name](const std::string& why) {
    return std::runtime_error(name + ": cannot make the in-memory copy the workers replay: " + why);
  };
  MemTrace t;
  // Close-on-exec: workers open it through the parent's /proc entry, which
  // lives as long as the parent keeps the descriptor.
  t.fd_ = memfd_create("fa32-bench-trace", MFD_CLOEXEC);
  if (t.fd_ < 0) throw cannot(std::string("memfd_create: ") + std::strerror(errno));
  t.path_ = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(t.fd_);

  traces::TraceHeader header = reader.header();
  header.metadata["bench.source"] = name;
  traces::Validator validator;
  try {
    std::unique_ptr<traces::TraceWriter> writer;
    try {
      writer = traces::create_writer(t.path_, traces::Format::binary, header);
    } catch (const std::runtime_error& e) {
      throw cannot(e.what());
    }
    std::array<traces::Event, 4096> buf;
    while (std::size_t n = reader.read(buf)) {
      for (std::size_t i = 0; i < n; ++i) {
        if (auto err = validator.check(buf[i])) {
          throw traces::TraceError(reader.source() + ": " + err->message);
        }
      }
      writer->write(std::span<const traces::Event>(buf.data(), n));
    }
    writer->finish();
  } catch (const traces::WriteError& e) {
    // The memory file counts against the file size limit (ulimit -f): the
    // error named only "/proc/PID/fd/N", no trace.
    throw cannot(e.what());
  }
  t.events_ = validator.summary().events;
  t.live_peak_ = validator.summary().peak_live_bytes;
  return t;
}

}  // namespace fa32::app::bench
