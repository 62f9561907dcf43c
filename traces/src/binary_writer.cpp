// SPDX-License-Identifier: GPL-3.0-or-later
#include <zlib.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "binary_format.hpp"
#include "header_json.hpp"
#include "writers.hpp"

namespace fa32::traces::detail {
namespace {

constexpr std::size_t kBufferBytes = 256 * 1024;

class BinaryWriter final : public TraceWriter {
 public:
  BinaryWriter(std::unique_ptr<ByteSink> sink, const TraceHeader& h) : sink_(std::move(sink)), header_(h) {
    buf_.resize(kBufferBytes + kMaxRecordBytes + 64);
    std::string hj = header_text(h, false);
    std::uint8_t* p = buf_.data();
    for (char c : kBinaryMagic) *p++ = static_cast<std::uint8_t>(c);
    p = put_varint(p, kFormatVersion);
    p = put_varint(p, hj.size());
    used_ = static_cast<std::size_t>(p - buf_.data());
    append(hj.data(), hj.size());
  }
  ~BinaryWriter() override {
    // Without finish(): keep the complete records, so the trace reads as
    // truncated rather than losing them.
    if (!finished_) {
      try {
        flush();
      } catch (...) {  // nothing sensible to do in a destructor
      }
    }
  }

  void write(std::span<const Event> events) override {
    std::uint8_t* p = buf_.data() + used_;
    std::uint8_t* limit = buf_.data() + kBufferBytes;
    for (const Event& e : events) {
      if (header_.id_bound != 0 && e.id >= header_.id_bound) {
        used_ = static_cast<std::size_t>(p - buf_.data());
        throw std::invalid_argument("event " + std::to_string(count_) + ": id " + std::to_string(e.id) +
                                    " is not below the header's id_bound " +
                                    std::to_string(header_.id_bound));
      }
      if (p >= limit) {
        used_ = static_cast<std::size_t>(p - buf_.data());
        drain();
        p = buf_.data();
      }
      std::uint8_t tag = static_cast<std::uint8_t>(e.op);
      if (e.thread != prev_thread_) tag |= kHasThread;
      if (e.time_ns != prev_time_) tag |= kHasTime;
      if (e.size != 0) tag |= kHasSize;
      if (e.count != 1) tag |= kHasCount;
      if (e.alignment != 0) tag |= kHasAlign;
      *p++ = tag;
      p = put_varint(p, zigzag(e.id - prev_id_));
      prev_id_ = e.id;
      if (tag & kHasThread) p = put_varint(p, e.thread);
      if (tag & kHasTime) p = put_varint(p, zigzag(e.time_ns - prev_time_));
      prev_thread_ = e.thread;
      prev_time_ = e.time_ns;
      if (tag & kHasSize) p = put_varint(p, e.size);
      if (tag & kHasCount) p = put_varint(p, e.count);
      if (tag & kHasAlign) p = put_varint(p, e.alignment);
      ++count_;
    }
    used_ = static_cast<std::size_t>(p - buf_.data());
  }

  void flush() override {
    drain();
    sink_->flush();
  }

  std::uint64_t events_written() const override { return count_; }

  void finish() override {
    if (finished_) return;
    if (header_.event_count != 0 && header_.event_count != count_) {
      throw std::invalid_argument("the header promises " + std::to_string(header_.event_count) +
                                  " events but " + std::to_string(count_) + " were written");
    }
    std::uint8_t* p = buf_.data() + used_;
    *p++ = kTagTrailer;
    p = put_varint(p, count_);
    used_ = static_cast<std::size_t>(p - buf_.data());
    drain();
    std::uint32_t c = static_cast<std::uint32_t>(crc_);
    char le[4] = {static_cast<char>(c & 0xff), static_cast<char>((c >> 8) & 0xff),
                  static_cast<char>((c >> 16) & 0xff), static_cast<char>(c >> 24)};
    sink_->write(le, 4);
    sink_->finish();
    finished_ = true;
  }

 private:
  void append(const char* s, std::size_t n) {
    if (used_ + n > buf_.size()) drain();
    if (n > buf_.size()) {
      crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(s), n);
      sink_->write(s, n);
      return;
    }
    std::memcpy(buf_.data() + used_, s, n);
    used_ += n;
  }
  void drain() {
    if (used_ == 0) return;
    crc_ = crc32_z(crc_, buf_.data(), used_);
    sink_->write(reinterpret_cast<const char*>(buf_.data()), used_);
    used_ = 0;
  }

  std::unique_ptr<ByteSink> sink_;
  TraceHeader header_;
  std::vector<std::uint8_t> buf_;
  std::size_t used_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t prev_id_ = 0;
  std::uint64_t prev_time_ = 0;
  std::uint32_t prev_thread_ = 0;
  uLong crc_ = crc32_z(0, nullptr, 0);
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<TraceWriter> make_binary_writer(std::unique_ptr<ByteSink> sink, const TraceHeader& h) {
  return std::make_unique<BinaryWriter>(std::move(sink), h);
}

}  // namespace fa32::traces::detail
