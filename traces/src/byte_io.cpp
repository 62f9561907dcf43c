// SPDX-License-Identifier: GPL-3.0-or-later
#include "byte_io.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "fa32/traces/reader.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::traces::detail {
namespace {
constexpr std::size_t kChunk = 256 * 1024;

std::string errno_text() {
  return std::strerror(errno);
}

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string name) : ByteSource(std::move(name)), fd_(fd), owned_(owned) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }

 protected:
  std::size_t read_some(char* dst, std::size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, dst, n);
      if (r >= 0) return static_cast<std::size_t>(r);
      if (errno == EINTR) continue;
      throw TraceError(name() + ": read error: " + errno_text());
    }
  }

 private:
  int fd_;
  bool owned_;
};

class StreamSource final : public ByteSource {
 public:
  StreamSource(std::istream& in, std::string name) : ByteSource(std::move(name)), in_(in) {}

 protected:
  std::size_t read_some(char* dst, std::size_t n) override {
    if (!in_.good()) return 0;
    in_.read(dst, static_cast<std::streamsize>(n));
    if (in_.bad()) throw TraceError(name() + ": read error");
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::istream& in_;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string_view bytes, std::string name) : ByteSource(std::move(name)), bytes_(bytes) {}

 protected:
  std::size_t read_some(char* dst, std::size_t n) override {
    std::size_t k = std::min(n, bytes_.size());
    std::memcpy(dst, bytes_.data(), k);
    bytes_.remove_prefix(k);
    return k;
  }

 private:
  std::string_view bytes_;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> inner)
      : ByteSource(inner->name()), inner_(std::move(inner)) {
    std::memset(&zs_, 0, sizeof zs_);
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw TraceError(name() + ": cannot start gzip decoder");
  }
  ~GzipSource() override { inflateEnd(&zs_); }

 protected:
  std::size_t read_some(char* dst, std::size_t n) override {
    if (done_) return 0;
    zs_.next_out = reinterpret_cast<Bytef*>(dst);
    zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    // Loop until some output exists: a gzip header alone produces none.
    while (reinterpret_cast<char*>(zs_.next_out) == dst) {
      if (inner_->available() == 0 && inner_->ensure(1) == 0) {
        if (member_started_) {
          // Truncation: ByteSource::ensure delivers what was inflated first.
          throw TraceError(name() +
                               ": compressed input is truncated: the gzip stream ends at compressed byte " +
                               std::to_string(inner_->offset()),
                           true);
        }
        done_ = true;
        break;
      }
      if (padding_ || (member_ended_ && !member_started_ && *inner_->data() == '\0')) {
        skip_padding();
        continue;
      }
      if (member_ended_ && !member_started_) check_member_start();
      member_started_ = true;
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(inner_->data()));
      std::size_t avail = std::min<std::size_t>(inner_->available(), 1u << 30);
      zs_.avail_in = static_cast<uInt>(avail);
      int rc = inflate(&zs_, Z_NO_FLUSH);
      inner_->consume(avail - zs_.avail_in);
      if (rc == Z_STREAM_END) {
        // Concatenated members (cat a.gz b.gz) are one stream.
        inflateReset(&zs_);
        member_started_ = false;
        member_ended_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw TraceError(name() + ": corrupt gzip data near compressed byte " +
                         std::to_string(inner_->offset()) +
                         (zs_.msg ? std::string(": ") + zs_.msg : std::string()));
      }
    }
    return static_cast<std::size_t>(reinterpret_cast<char*>(zs_.next_out) - dst);
  }

 private:
  // Zero bytes after the last member (tape or block padding) end the
  // stream, as gzip(1) ignores them; anything after them is not a member.
  void skip_padding() {
    padding_ = true;
    const char* p = inner_->data();
    std::size_t k = 0;
    while (k < inner_->available() && p[k] == '\0') ++k;
    inner_->consume(k);
    if (inner_->available() > 0)
      throw TraceError(name() +
                       ": a non-zero byte in the zero padding after the gzip data at compressed byte " +
                       std::to_string(inner_->offset()));
  }

  // After a member comes another (magic 1f 8b) or zero padding. Other
  // bytes were fed to inflate as a new member: one stray byte then read as
  // a cut member, "compressed input is truncated", which it is not.
  void check_member_start() {
    const std::size_t n = inner_->ensure(2);
    const auto* p = reinterpret_cast<const unsigned char*>(inner_->data());
    if (p[0] != 0x1f || (n >= 2 && p[1] != 0x8b)) {
      throw TraceError(name() +
                       ": corrupt gzip data: unexpected data after the last gzip member at compressed byte " +
                       std::to_string(inner_->offset()));
    }
  }

  std::unique_ptr<ByteSource> inner_;
  z_stream zs_;
  bool member_started_ = false;
  bool member_ended_ = false;  // at least one whole member was read
  bool padding_ = false;       // in the zero bytes after the last member
  bool done_ = false;
};

class FdSink final : public ByteSink {
 public:
  FdSink(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {}
  ~FdSink() override {
    if (owned_) ::close(fd_);
  }
  void write(const char* p, std::size_t n) override {
    while (n > 0) {
      ssize_t r = ::write(fd_, p, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        throw WriteError(name_ + ": write error: " + errno_text());
      }
      p += r;
      n -= static_cast<std::size_t>(r);
    }
  }
  void flush() override {}
  // close() is where some file systems (NFS, quotas) first report that
  // the data did not fit; the trace is not whole until it succeeds.
  void finish() override {
    if (!owned_) return;
    owned_ = false;
    // Linux releases the descriptor even when close fails: never retried.
    if (::close(fd_) != 0 && errno != EINTR) throw WriteError(name_ + ": write error: " + errno_text());
  }

 private:
  int fd_;
  bool owned_;
  std::string name_;
};

// Deflates into gzip format (one member) and writes to inner.
class GzipSink final : public ByteSink {
 public:
  GzipSink(std::unique_ptr<ByteSink> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)), out_(new char[kChunk]) {
    zs_ = {};
    // 16 + MAX_WBITS: a gzip header and trailer, not a bare zlib stream.
    if (deflateInit2(&zs_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error(name_ + ": cannot start gzip encoder");
  }
  ~GzipSink() override { deflateEnd(&zs_); }
  void write(const char* p, std::size_t n) override {
    while (n > 0) {
      // avail_in is 32 bits wide.
      const std::size_t step = std::min<std::size_t>(n, kChunk);
      deflate_all(p, step, Z_NO_FLUSH);
      p += step;
      n -= step;
    }
  }
  void flush() override {
    deflate_all(nullptr, 0, Z_SYNC_FLUSH);
    inner_->flush();
  }
  void finish() override {
    if (finished_) return;
    deflate_all(nullptr, 0, Z_FINISH);
    finished_ = true;
    inner_->finish();
  }

 private:
  void deflate_all(const char* p, std::size_t n, int mode) {
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p));
    zs_.avail_in = static_cast<uInt>(n);
    for (;;) {
      zs_.next_out = reinterpret_cast<Bytef*>(out_.get());
      zs_.avail_out = static_cast<uInt>(kChunk);
      const int rc = deflate(&zs_, mode);
      if (rc == Z_STREAM_ERROR) throw std::runtime_error(name_ + ": gzip encoder failed");
      const std::size_t produced = kChunk - zs_.avail_out;
      if (produced > 0) inner_->write(out_.get(), produced);
      // Done when the input is taken and deflate had room to spare (or,
      // finishing, when it says the stream has ended).
      if (mode == Z_FINISH ? rc == Z_STREAM_END : (zs_.avail_in == 0 && zs_.avail_out != 0)) return;
    }
  }

  std::unique_ptr<ByteSink> inner_;
  std::string name_;
  std::unique_ptr<char[]> out_;
  z_stream zs_;
  bool finished_ = false;
};

class StreamSink final : public ByteSink {
 public:
  explicit StreamSink(std::ostream& out) : out_(out) {}
  void write(const char* p, std::size_t n) override {
    out_.write(p, static_cast<std::streamsize>(n));
    if (!out_) throw WriteError("write error on output stream");
  }
  void flush() override {
    out_.flush();
    if (!out_) throw WriteError("write error on output stream");
  }

 private:
  std::ostream& out_;
};
}  // namespace

std::size_t ByteSource::ensure(std::size_t n) {
  if (end_ - pos_ >= n) return end_ - pos_;
  if (eof_) {
    if (end_ == pos_ && !cut_.empty()) throw TraceError(cut_, true);
    return end_ - pos_;
  }
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  std::size_t want = std::max(n, kChunk);
  if (capacity_ < want) {
    std::unique_ptr<char[]> bigger(new char[want]);
    if (end_ > 0) std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    capacity_ = want;
  }
  while (end_ < n && !eof_) {
    std::size_t got = 0;
    try {
      got = read_some(buf_.get() + end_, capacity_ - end_);
    } catch (const TraceError& e) {
      // Input cut short (a gzip stream without its end): the bytes before
      // the cut are data like any others, so the reader gets them first,
      // and the error when it wants more. Thrown here, it lost them all.
      if (!e.truncated()) throw;
      cut_ = e.what();
    }
    if (got == 0) eof_ = true;
    end_ += got;
  }
  if (end_ == pos_ && !cut_.empty()) throw TraceError(cut_, true);
  return end_ - pos_;
}

TraceError with_events_recovered(const TraceError& e, const ByteSource& src, const std::string& where,
                                 std::uint64_t events) {
  const std::string& cut = src.cut();
  const std::string prefix = src.name() + ": ";
  if (!e.truncated() || cut.empty() || cut != e.what() || cut.rfind(prefix, 0) != 0) return e;
  return TraceError(prefix + where + ": truncated: " + std::to_string(events) + " events recovered (" +
                        cut.substr(prefix.size()) + ")",
                    true);
}

std::unique_ptr<ByteSource> open_file_source(const std::string& path) {
  if (path == "-") return std::make_unique<FdSource>(0, false, "<stdin>");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw TraceError(path + ": cannot open: " + errno_text());
  return std::make_unique<FdSource>(fd, true, path);
}

std::unique_ptr<ByteSource> stream_source(std::istream& in, const std::string& name) {
  return std::make_unique<StreamSource>(in, name);
}

std::unique_ptr<ByteSource> memory_source(std::string_view bytes, const std::string& name) {
  return std::make_unique<MemorySource>(bytes, name);
}

std::unique_ptr<ByteSource> gzip_source(std::unique_ptr<ByteSource> inner) {
  return std::make_unique<GzipSource>(std::move(inner));
}

std::unique_ptr<ByteSink> open_file_sink(const std::string& path) {
  if (path == "-") return std::make_unique<FdSink>(1, false, "<stdout>");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": cannot create: " + errno_text());
  auto file = std::make_unique<FdSink>(fd, true, path);
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0)
    return std::make_unique<GzipSink>(std::move(file), path);
  return file;
}

std::unique_ptr<ByteSink> stream_sink(std::ostream& out) {
  return std::make_unique<StreamSink>(out);
}

}  // namespace fa32::traces::detail
