// SPDX-License-Identifier: GPL-3.0-or-later
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>

#include "binary_format.hpp"
#include "header_json.hpp"
#include "readers.hpp"

namespace fa32::traces::detail {
namespace {

class BinaryReader final : public TraceReader {
 public:
  explicit BinaryReader(std::unique_ptr<ByteSource> src) : src_(std::move(src)) { read_preamble(); }

  const TraceHeader& header() const override { return header_; }
  Format format() const override { return Format::binary; }
  std::uint64_t events_read() const override { return events_; }
  std::string position() const override { return "byte " + std::to_string(last_offset_); }
  const std::string& source() const override { return src_->name(); }

  std::size_t read(std::span<Event> out) override {
    if (!pending_.empty()) throw_pending();
    if (done_) return 0;
    std::size_t n = 0;
    try {
      while (n < out.size()) {
        if (src_->available() < kMaxRecordBytes) {
          if (src_->ensure(kMaxRecordBytes) < kMaxRecordBytes) {
            // Near the end: decode one record at a time from a padded copy.
            if (!decode_tail(out[n])) break;
            ++n;
            continue;
          }
        }
        // The run's events count before whatever stopped it is reported,
        // so they are delivered ahead of the error like any others.
        n += decode_run(out.subspan(n));
        if (run_status_ == trailer) {
          read_trailer();
          break;
        }
        if (run_status_ != ok) {
          fail_status(run_status_, reinterpret_cast<const std::uint8_t*>(src_->data()), src_->offset(),
                      out[n]);
        }
      }
    } catch (const TraceError& e) {
      const TraceError err =
          with_events_recovered(e, *src_, "byte " + std::to_string(src_->offset()), events_);
      if (n == 0) throw err;
      pending_ = err.what();
      pending_truncated_ = err.truncated();
    }
    return n;
  }

 private:
  [[noreturn]] void fail(std::uint64_t offset, const std::string& what, bool truncated = false) const {
    throw TraceError(src_->name() + ": byte " + std::to_string(offset) + ": " + what, truncated);
  }
  [[noreturn]] void fail_event(std::uint64_t offset, const std::string& what) const {
    throw TraceError(src_->name() + ": event " + std::to_string(events_) + " (byte " +
                     std::to_string(offset) + "): " + what);
  }
  [[noreturn]] void throw_pending() const { throw TraceError(pending_, pending_truncated_); }

  void checksum(const char* p, std::size_t n) { crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(p), n); }
  // Checksums and drops n bytes from the front of the window.
  void commit(std::size_t n) {
    checksum(src_->data(), n);
    src_->consume(n);
  }

  void read_preamble() {
    // The magic, then two varints of up to 10 bytes each: get_varint reads
    // without bounds checks, and a varint may be over-long (version 1 in
    // ten bytes is still 1), so the copy holds both at their longest.
    std::array<std::uint8_t, sizeof kBinaryMagic + 2 * 10> pad{};
    std::size_t avail = src_->ensure(pad.size());
    if (avail < sizeof kBinaryMagic || std::memcmp(src_->data(), kBinaryMagic, sizeof kBinaryMagic) != 0) {
      fail(0, "not a binary fa32 trace (bad magic bytes)");
    }
    std::memcpy(pad.data(), src_->data(), std::min(avail, pad.size()));
    const std::uint8_t* p = pad.data() + sizeof kBinaryMagic;
    std::uint64_t version = 0;
    std::uint64_t hlen = 0;
    p = get_varint(p, version);
    if (!p) fail(8, "corrupt version field");
    if (static_cast<std::size_t>(p - pad.data()) > avail) {
      fail(avail, "truncated: 0 events recovered (input ends inside the preamble)", true);
    }
    std::string err = check_version(version);
    if (!err.empty()) fail(8, err);
    const std::uint8_t* q = get_varint(p, hlen);
    if (!q) fail(static_cast<std::uint64_t>(p - pad.data()), "corrupt header length");
    std::size_t pre = static_cast<std::size_t>(q - pad.data());
    if (pre > avail) fail(avail, "truncated: 0 events recovered (input ends inside the preamble)", true);
    if (hlen > kMaxTokenBytes)
      fail(pre, "header length " + std::to_string(hlen) + " exceeds the 1 MiB limit");
    if (src_->ensure(pre + hlen) < pre + hlen) {
      fail(src_->offset() + src_->available(), "truncated: 0 events recovered (input ends inside the header)",
           true);
    }
    const char* h = src_->data() + pre;
    nlohmann::json j;
    err = parse_header_json(h, h + hlen, j);
    if (!err.empty()) fail(pre, err);
    err = header_from_json(j, header_, false);
    if (!err.empty()) fail(pre, "header: " + err);
    header_.version = static_cast<std::uint32_t>(version);
    id_bound_ = header_.id_bound;
    commit(pre + hlen);
  }

  enum Status : std::uint8_t { ok, trailer, bad_tag, bad_varint, bad_thread, bad_id };
  struct State {
    std::uint64_t id = 0;
    std::uint64_t time = 0;
    std::uint32_t thread = 0;
  };

  // One- and two-byte varints inline (ids deltas and small sizes); the
  // rest out of line. Returned by value so nothing is spilled to memory.
  struct Varint {
    const std::uint8_t* p;
    std::uint64_t v;
  };
  [[gnu::noinline]] static Varint varint_slow(const std::uint8_t* p) {
    std::uint64_t v = 0;
    const std::uint8_t* q = get_varint(p, v);
    return {q, v};
  }
  [[gnu::always_inline]] static inline Varint varint(const std::uint8_t* p) {
    std::uint64_t b0 = p[0];
    if (b0 < 0x80) [[likely]] {
      return {p + 1, b0};
    }
    std::uint64_t b1 = p[1];
    if (b1 < 0x80) [[likely]] {
      return {p + 2, (b0 & 0x7f) | (b1 << 7)};
    }
    return varint_slow(p);
  }

  // Decodes one record at p (at least kMaxRecordBytes readable); returns the
  // byte after it, or nullptr with status set. No throwing here: this is
  // the hot loop, errors are reported by the caller. id_max is the largest
  // id allowed, inclusive: see max_id().
  [[gnu::always_inline]] static inline const std::uint8_t* decode(const std::uint8_t* p, Event& e, State& st,
                                                                  std::uint64_t id_max, Status& status) {
    std::uint8_t tag = *p++;
    std::uint8_t op = tag & kOpMask;
    if (op >= op_count) [[unlikely]] {
      status = tag == kTagTrailer ? trailer : bad_tag;
      return nullptr;
    }
    Varint idv = varint(p);
    p = idv.p;
    if (!p) [[unlikely]] {
      status = bad_varint;
      return nullptr;
    }
    std::uint64_t v = 0;
    e.op = static_cast<Op>(op);
    st.id += unzigzag(idv.v);
    e.id = st.id;
    e.size = 0;
    e.count = 1;
    e.alignment = 0;
    if (tag & (kHasThread | kHasTime | kHasCount | kHasAlign)) [[unlikely]] {
      if (tag & kHasThread) {
        p = get_varint(p, v);
        if (!p || v > 0xffffffffu) {
          status = bad_thread;
          return nullptr;
        }
        st.thread = static_cast<std::uint32_t>(v);
      }
      if (tag & kHasTime) {
        p = get_varint(p, v);
        if (!p) {
          status = bad_varint;
          return nullptr;
        }
        st.time += unzigzag(v);
      }
      if (tag & kHasSize) p = get_varint(p, e.size);
      if (p && (tag & kHasCount)) p = get_varint(p, e.count);
      if (p && (tag & kHasAlign)) p = get_varint(p, e.alignment);
      if (!p) {
        status = bad_varint;
        return nullptr;
      }
    } else if (tag & kHasSize) {
      Varint sv = varint(p);
      p = sv.p;
      e.size = sv.v;
      if (!p) [[unlikely]] {
        status = bad_varint;
        return nullptr;
      }
    }
    e.thread = st.thread;
    e.time_ns = st.time;
    if (e.id > id_max) [[unlikely]] {
      status = bad_id;
      return nullptr;
    }
    return p;
  }

  [[noreturn]] void fail_status(Status status, const std::uint8_t* rec, std::uint64_t offset,
                                const Event& e) const {
    switch (status) {
      case bad_tag:
        fail_event(offset, "invalid record tag 0x" + hex(*rec) + " (corrupt data)");
      case bad_thread:
        fail_event(offset, "thread id out of range (corrupt data)");
      case bad_id:
        fail_event(offset, "id " + std::to_string(e.id) + " is not below the header's id_bound " +
                               std::to_string(id_bound_));
      default:
        fail_event(offset, "over-long varint (corrupt data)");
    }
  }

  // Decodes records while a whole record surely fits in the window. Stops
  // at the trailer or at damage with run_status_ set and the window at that
  // record (for a failure, out[returned] holds what was decoded of it).
  std::size_t decode_run(std::span<Event> out) {
    const auto* base = reinterpret_cast<const std::uint8_t*>(src_->data());
    const std::uint8_t* p = base;
    const std::uint8_t* safe_end = base + src_->available() - kMaxRecordBytes;
    const std::uint64_t limit = max_id();
    State st = state_;
    Event* e = out.data();
    Event* const e_end = e + out.size();
    const std::uint8_t* last = p;
    Status status = ok;
    while (e < e_end && p <= safe_end) {
      const std::uint8_t* next = decode(p, *e, st, limit, status);
      if (!next) [[unlikely]]
        break;
      last = p;
      p = next;
      ++e;
    }
    std::size_t n = static_cast<std::size_t>(e - out.data());
    state_ = st;
    events_ += n;
    std::uint64_t base_off = src_->offset();
    if (n) last_offset_ = base_off + static_cast<std::uint64_t>(last - base);
    commit(static_cast<std::size_t>(p - base));
    run_status_ = status;
    return n;
  }

  // Fewer than kMaxRecordBytes remain: the input is about to end.
  bool decode_tail(Event& e) {
    std::size_t avail = src_->available();
    std::uint64_t off = src_->offset();
    if (avail == 0) {
      fail(off,
           "truncated: " + std::to_string(events_) +
               " events recovered (no trailer: the writer did not finish)",
           true);
    }
    std::array<std::uint8_t, kMaxRecordBytes + 16> pad{};
    std::memcpy(pad.data(), src_->data(), avail);
    if (pad[0] == kTagTrailer) {
      read_trailer();
      return false;
    }
    State st = state_;
    Status status = ok;
    const std::uint8_t* next = decode(pad.data(), e, st, max_id(), status);
    if (!next && status == bad_id) {
      // Is the id absurd, or is the record cut short? Decode it again unchecked.
      State again = state_;
      Status again_status = ok;
      const std::uint8_t* end = decode(pad.data(), e, again, UINT64_MAX, again_status);
      // Unchecked, the decode cannot fail where the checked one got to the
      // id; if it ever did, report that rather than do arithmetic on null.
      if (!end) fail_status(again_status, pad.data(), off, e);
      if (static_cast<std::size_t>(end - pad.data()) <= avail) fail_status(status, pad.data(), off, e);
      next = end;
    } else if (!next) {
      fail_status(status, pad.data(), off, e);
    }
    std::size_t used = static_cast<std::size_t>(next - pad.data());
    if (used > avail) {
      // Zero padding past the end decodes as short varints, so a record cut
      // short shows up as one that used more bytes than there were.
      fail(off, "truncated: " + std::to_string(events_) + " events recovered (the last record is incomplete)",
           true);
    }
    state_ = st;
    last_offset_ = off;
    ++events_;
    commit(used);
    return true;
  }

  void read_trailer() {
    std::uint64_t off = src_->offset();
    std::size_t avail = src_->ensure(1 + 10 + 4 + 1);
    std::array<std::uint8_t, 32> pad{};
    std::memcpy(pad.data(), src_->data(), std::min(avail, pad.size()));
    std::uint64_t count = 0;
    const std::uint8_t* p = get_varint(pad.data() + 1, count);
    if (!p) fail(off, "corrupt trailer");
    std::size_t counted = static_cast<std::size_t>(p - pad.data());
    if (counted + 4 > avail) {
      fail(off, "truncated: " + std::to_string(events_) + " events recovered (the trailer is incomplete)",
           true);
    }
    checksum(src_->data(), counted);
    std::uint32_t stored = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    if (count != events_) {
      fail(off, "the trailer counts " + std::to_string(count) + " events but " + std::to_string(events_) +
                    " were read (corrupt data)");
    }
    if (stored != static_cast<std::uint32_t>(crc_)) {
      fail(off, "checksum mismatch (stored " + hex32(stored) + ", computed " +
                    hex32(static_cast<std::uint32_t>(crc_)) + "): the trace is corrupt");
    }
    if (header_.event_count != 0 && header_.event_count != events_) {
      fail(off, "the header promises " + std::to_string(header_.event_count) + " events but the trace has " +
                    std::to_string(events_));
    }
    src_->consume(counted + 4);
    if (src_->ensure(1) != 0) fail(src_->offset(), "unexpected data after the trailer");
    done_ = true;
  }

  // The largest id the header allows. id_bound is one past the largest id,
  // and 0 means no bound: then every id up to 2^64 - 1 is valid, which a
  // "below id_bound" test with UINT64_MAX standing for "no bound" got
  // wrong (it refused id 2^64 - 1). id_bound_ - 1 wraps to UINT64_MAX for
  // 0, so this is one subtraction, no branch.
  std::uint64_t max_id() const { return id_bound_ - 1; }

  static std::string hex(std::uint8_t b) {
    const char* d = "0123456789abcdef";
    return {d[b >> 4], d[b & 15]};
  }
  static std::string hex32(std::uint32_t v) {
    std::string s = "0x";
    for (int i = 28; i >= 0; i -= 4) s += "0123456789abcdef"[(v >> i) & 15];
    return s;
  }

  std::unique_ptr<ByteSource> src_;
  TraceHeader header_;
  std::uint64_t id_bound_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t last_offset_ = 0;
  State state_;
  uLong crc_ = crc32_z(0, nullptr, 0);
  Status run_status_ = ok;  // why the last decode_run stopped
  bool done_ = false;
  std::string pending_;
  bool pending_truncated_ = false;
};

}  // namespace

std::unique_ptr<TraceReader> make_binary_reader(std::unique_ptr<ByteSource> src) {
  return std::make_unique<BinaryReader>(std::move(src));
}

}  // namespace fa32::traces::detail
