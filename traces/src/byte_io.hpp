// Buffered byte sources and sinks under every reader and writer. A source
// keeps a bounded window of the input so readers can sniff, scan and parse
// without holding the whole trace.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fa32/traces/reader.hpp"

namespace fa32::traces::detail {

class ByteSource {
 public:
  explicit ByteSource(std::string name) : name_(std::move(name)) {}
  virtual ~ByteSource() = default;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Tries to make at least n bytes available (fewer only at end of input).
  // n is bounded by the callers (a record, a line, a header). Returns available().
  // Input cut short (read_some threw a truncated TraceError) ends like any
  // input, and that error is thrown when nothing is left to read.
  std::size_t ensure(std::size_t n);
  const char* data() const { return buf_.get() + pos_; }
  std::size_t available() const { return end_ - pos_; }
  void consume(std::size_t n) { pos_ += n; }
  // Absolute offset of data() in the (decompressed) input.
  std::uint64_t offset() const { return base_ + pos_; }
  bool at_eof() { return ensure(1) == 0; }
  // Why the input ended early ("" if it did not): a gzip stream cut short.
  const std::string& cut() const { return cut_; }
  const std::string& name() const { return name_; }

 protected:
  // Reads up to n bytes; 0 means end of input. Throws TraceError on I/O errors.
  virtual std::size_t read_some(char* dst, std::size_t n) = 0;

 private:
  std::string name_;
  // Not a vector: growing it would zero memory that is about to be read over.
  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t base_ = 0;
  bool eof_ = false;
  std::string cut_;  // why the input ended early, if it did
};

// e, or, when e is src's cut (a gzip stream cut short), that cut said as
// a reader says its own: "NAME: WHERE: truncated: N events recovered
// (compressed input is truncated: ...)". The cut alone named where the
// compressed data ended but not how many events came through.
TraceError with_events_recovered(const TraceError& e, const ByteSource& src, const std::string& where,
                                 std::uint64_t events);

std::unique_ptr<ByteSource> open_file_source(const std::string& path);  // "-" = stdin
std::unique_ptr<ByteSource> stream_source(std::istream& in, const std::string& name);
std::unique_ptr<ByteSource> memory_source(std::string_view bytes, const std::string& name);
// Inflates a gzip stream read from inner (which may already hold sniffed bytes).
std::unique_ptr<ByteSource> gzip_source(std::unique_ptr<ByteSource> inner);

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const char* p, std::size_t n) = 0;
  // Everything written so far reaches the output (a gzip sink ends a block).
  virtual void flush() = 0;
  // The last write: a gzip sink writes its trailer, which a reader needs.
  virtual void finish() { flush(); }
};

// "-" = stdout; a path ending in .gz is written gzip-compressed, as every
// reader sniffs and inflates it.
std::unique_ptr<ByteSink> open_file_sink(const std::string& path);
std::unique_ptr<ByteSink> stream_sink(std::ostream& out);

}  // namespace fa32::traces::detail
