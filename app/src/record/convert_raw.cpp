// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/record/convert_raw.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "fa32/app/remove_on_signal.hpp"
#include "fa32/app/shell_quote.hpp"
#include "fa32/record/raw_format.h"
#include "fa32/traces/reader.hpp"
#include "fa32/traces/writer.hpp"

namespace fa32::app::record {
namespace {

// A raw file mapped read-only for the two conversion passes.
class RawImage {
 public:
  explicit RawImage(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw traces::TraceError(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(FA32_RAW_HEADER_SIZE)) {
      ::close(fd);
      throw traces::TraceError(path + ": raw recording shorter than its header");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) throw traces::TraceError(path + ": cannot map: " + std::strerror(errno));
    data_ = static_cast<const unsigned char*>(p);
    std::memcpy(&header_, data_, sizeof header_);
    if (std::memcmp(header_.magic, FA32_RAW_MAGIC, sizeof header_.magic) != 0) {
      throw traces::TraceError(path + ": not a fa32 raw recording (bad magic)");
    }
    if (header_.version != FA32_RAW_VERSION || header_.header_size != FA32_RAW_HEADER_SIZE ||
        header_.record_size != sizeof(fa32_raw_record)) {
      throw traces::TraceError(path + ": raw recording version " + std::to_string(header_.version) +
                               " is not the one this fa32 reads (" + std::to_string(FA32_RAW_VERSION) + ")");
    }
  }
  ~RawImage() { ::munmap(const_cast<unsigned char*>(data_), size_); }
  RawImage(const RawImage&) = delete;
  RawImage& operator=(const RawImage&) = delete;

  const fa32_raw_header& header() const { return header_; }
  std::uint64_t record_count() const {
    std::uint64_t room = (size_ - FA32_RAW_HEADER_SIZE) / sizeof(fa32_raw_record);
    return std::min<std::uint64_t>(header_.next_index, room);
  }
  fa32_raw_record record(std::uint64_t i) const {
    fa32_raw_record r;
    std::memcpy(&r, data_ + FA32_RAW_HEADER_SIZE + i * sizeof(fa32_raw_record), sizeof r);
    return r;
  }
  std::string exec_path() const {
    return std::string(header_.exec_path, ::strnlen(header_.exec_path, sizeof header_.exec_path));
  }
  std::string program() const {
    const std::size_t size = std::min<std::size_t>(header_.cmdline_size, sizeof header_.cmdline);
    return std::string(header_.cmdline, ::strnlen(header_.cmdline, size));
  }
  std::string command() const {
    // /proc/self/cmdline: each argument ends with a NUL. Quoted as the
    // top-level command is: joined with plain spaces, an empty argument or
    // one holding spaces lost its boundaries.
    const std::size_t size = std::min<std::size_t>(header_.cmdline_size, sizeof header_.cmdline);
    std::vector<std::string> args;
    std::size_t start = 0;
    for (std::size_t i = 0; i < size; ++i) {
      if (header_.cmdline[i] == '\0') {
        args.emplace_back(header_.cmdline + start, i - start);
        start = i + 1;
      }
    }
    if (start < size) args.emplace_back(header_.cmdline + start, size - start);  // cut short
    return join_command(args);
  }

 private:
  std::string path_;
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  fa32_raw_header header_{};
};

// What each raw record became in the first pass, one word per record:
// (id << 8) | op, or kNone. Kept in an unlinked file beside the raw files so
// that a huge recording costs page cache, not resident memory. The second
// pass then writes the events without repeating the address lookups.
class Outcomes {
 public:
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  Outcomes(const std::string& dir, std::uint64_t n) : bytes_(std::max<std::uint64_t>(n, 1) * 8) {
    std::string templ = dir + "/outcomes.XXXXXX";
    int fd = ::mkstemp(templ.data());
    if (fd < 0)
      throw std::runtime_error("cannot create a scratch file in " + dir + ": " + std::strerror(errno));
    ::unlink(templ.c_str());
    // Its blocks allocated now, not sparse (ftruncate): on a full disk a
    // store into the mapping is a SIGBUS, which killed fa32 mid-conversion.
    if (const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_)); err != 0) {
      ::close(fd);
      throw std::runtime_error("cannot size a scratch file in " + dir + ": " + std::strerror(err));
    }
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED)
      throw std::runtime_error(std::string("cannot map a scratch file: ") + std::strerror(errno));
    words_ = static_cast<std::uint64_t*>(p);
  }
  ~Outcomes() { ::munmap(words_, bytes_); }
  Outcomes(const Outcomes&) = delete;
  Outcomes& operator=(const Outcomes&) = delete;
  std::uint64_t& operator[](std::uint64_t i) { return words_[i]; }

 private:
  std::uint64_t bytes_;
  std::uint64_t* words_ = nullptr;
};

// Pass 1: every record of every image through the builder (ids, counts),
// noting what each record became. Returns the number of torn records.
std::uint64_t first_pass(const std::vector<std::unique_ptr<RawImage>>& images, traces::ImportBuilder& builder,
                         Outcomes& outcomes) {
  std::uint64_t torn = 0;
  std::uint64_t g = 0;
  const std::uint64_t t0 = images.front()->header().start_monotonic_ns;
  builder.thread(static_cast<std::uint64_t>(images.front()->header().pid));  // the main thread is 1
  for (std::size_t k = 0; k < images.size(); ++k) {
    if (k > 0) builder.forget_addresses();
    const RawImage& img = *images[k];
    const std::uint64_t n = img.record_count();
    for (std::uint64_t i = 0; i < n; ++i, ++g) {
      const fa32_raw_record r = img.record(i);
      const std::uint64_t before = builder.stats().events;
      if (r.commit != FA32_RAW_COMMIT) {
        ++torn;
        outcomes[g] = Outcomes::kNone;
        continue;
      }
      const std::uint32_t thread = builder.thread(r.tid);
      const std::uint64_t t = r.time_ns > t0 ? r.time_ns - t0 : 0;
      switch (r.op) {
        case FA32_RAW_MALLOC:
          builder.alloc(traces::Op::malloc, thread, r.ptr, r.size, 1, 0, t);
          break;
        case FA32_RAW_CALLOC:
          builder.alloc(traces::Op::calloc, thread, r.ptr, r.size, r.arg, 0, t);
          break;
        case FA32_RAW_ALIGNED:
          builder.alloc(traces::Op::aligned_alloc, thread, r.ptr, r.size, 1, r.arg, t);
          break;
        case FA32_RAW_FREE:
          builder.free(thread, r.ptr, t);
          break;
        case FA32_RAW_REALLOC_BEGIN:
          builder.realloc_begin(thread, r.arg);
          break;
        case FA32_RAW_REALLOC_END:
          builder.realloc_end(thread, r.arg, r.ptr, r.size, t);
          break;
        default:
          ++torn;
          break;
      }
      if (builder.stats().events != before) {
        const traces::Event& e = builder.last_event();
        outcomes[g] = (e.id << 8) | static_cast<std::uint64_t>(e.op);
      } else {
        outcomes[g] = Outcomes::kNone;
      }
    }
  }
  return torn;
}

// Pass 2: the events again, from the records and their noted outcomes.
void second_pass(const std::vector<std::unique_ptr<RawImage>>& images, traces::ImportBuilder& threads,
                 Outcomes& outcomes, traces::TraceWriter& out) {
  std::vector<traces::Event> batch;
  batch.reserve(4096);
  std::uint64_t g = 0;
  const std::uint64_t t0 = images.front()->header().start_monotonic_ns;
  for (const auto& img : images) {
    const std::uint64_t n = img->record_count();
    for (std::uint64_t i = 0; i < n; ++i, ++g) {
      const std::uint64_t o = outcomes[g];
      if (o == Outcomes::kNone) continue;
      const fa32_raw_record r = img->record(i);
      traces::Event e;
      e.op = static_cast<traces::Op>(o & 0xff);
      e.id = o >> 8;
      e.thread = threads.thread(r.tid);
      e.size = e.op == traces::Op::free ? 0 : r.size;
      e.count = e.op == traces::Op::calloc ? r.arg : 1;
      e.alignment = e.op == traces::Op::aligned_alloc ? r.arg : 0;
      e.time_ns = r.time_ns > t0 ? r.time_ns - t0 : 0;
      batch.push_back(e);
      if (batch.size() == batch.capacity()) {
        out.write(batch);
        batch.clear();
      }
    }
  }
  if (!batch.empty()) out.write(batch);
}

std::string iso_date(std::uint64_t realtime_ns) {
  std::time_t secs = static_cast<std::time_t>(realtime_ns / 1000000000u);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::map<std::int64_t, RawProcess> list_raw_files(const std::string& dir) {
  std::map<std::int64_t, std::map<std::uint64_t, std::string>> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    long long pid = 0;
    unsigned long long gen = 0;
    int used = 0;
    if (std::sscanf(name.c_str(), "raw.%lld.%llu%n", &pid, &gen, &used) == 2 &&
        static_cast<std::size_t>(used) == name.size()) {
      found[pid][gen] = entry.path().string();
    }
  }
  std::map<std::int64_t, RawProcess> out;
  for (auto& [pid, gens] : found) {
    RawProcess& p = out[pid];
    p.pid = pid;
    for (auto& [gen, path] : gens) p.files.push_back(path);
  }
  return out;
}

std::string running_program(const RawProcess& process) {
  if (process.files.empty()) return "";
  try {
    const RawImage last(process.files.back());
    if ((last.header().flags & FA32_RAW_FLAG_EXEC) != 0) return last.exec_path();
    return last.program();
  } catch (const traces::TraceError&) {
    return "";  // the conversion reports it
  }
}

ConvertResult convert_process(const RawProcess& process, const std::string& out_path,
                              traces::TraceHeader header) {
  std::vector<std::unique_ptr<RawImage>> images;
  for (const std::string& f : process.files) images.push_back(std::make_unique<RawImage>(f));

  ConvertResult result;
  if (images.empty()) {
    // The program never loaded the recorder: an empty, valid trace.
    header.metadata["pid"] = std::to_string(process.pid);
    header.metadata["record.images"] = "0";
    result.stats.add_to(header.metadata, "");
    auto writer = traces::create_writer(out_path, traces::Format::binary, header);
    writer->finish();
    return result;
  }
  // Pass 1 counts, so the header can carry the event count and id bound.
  std::uint64_t records = 0;
  for (const auto& img : images) records += img->record_count();
  Outcomes outcomes(std::filesystem::path(process.files.front()).parent_path().string(), records);
  traces::ImportBuilder counter(nullptr);
  result.torn = first_pass(images, counter, outcomes);
  result.stats = counter.finish();
  const fa32_raw_header& first = images.front()->header();
  result.images = images.size();
  result.ppid = first.ppid;
  result.start_realtime_ns = first.start_realtime_ns;
  for (const auto& img : images) {
    if ((img->header().flags & FA32_RAW_FLAG_OVERFLOW) != 0) {
      if (!result.overflow) result.overflow_error = static_cast<int>(img->header().grow_error);
      result.overflow = true;
    }
    result.image_commands.push_back(img->command());
  }
  // A successful exec into a recording image starts the next file; one
  // still noted in the last file went to an image that did not record.
  if ((images.back()->header().flags & FA32_RAW_FLAG_EXEC) != 0) {
    result.unrecorded_exec = images.back()->exec_path();
    if (result.unrecorded_exec.empty()) result.unrecorded_exec = "?";
  }

  header.event_count = result.stats.events;
  header.id_bound = result.stats.id_bound;
  auto& md = header.metadata;
  md["pid"] = std::to_string(process.pid);
  md["ppid"] = std::to_string(result.ppid);
  md["date"] = iso_date(result.start_realtime_ns);
  md["record.images"] = std::to_string(result.images);
  for (std::size_t i = 0; i < result.image_commands.size(); ++i) {
    md["record.image." + std::to_string(i) + ".command"] = result.image_commands[i];
  }
  md["record.torn_records"] = std::to_string(result.torn);
  md["record.overflow"] = result.overflow ? "true" : "false";
  if (!result.unrecorded_exec.empty()) md["record.unrecorded_exec"] = result.unrecorded_exec;
  result.stats.add_to(md, "");

  auto writer = traces::create_writer(out_path, traces::Format::binary, header);
  // A big recording takes seconds to write: a ^C then left a trace cut short.
  const RemoveOnSignal remove_on_signal(out_path);
  second_pass(images, counter, outcomes, *writer);
  writer->finish();
  return result;
}

}  // namespace fa32::app::record
