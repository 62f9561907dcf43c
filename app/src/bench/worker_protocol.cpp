// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/bench/worker_protocol.hpp"
#include "fa32/app/report/json_text.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fa32::app::bench {

std::vector<std::string> worker_arguments(const WorkerRequest& request) {
  std::vector<std::string> args{worker_command, request.trace, "--kind",
                                std::string(kind_name(request.kind))};
  if (request.probe) {
    args.push_back("--probe");
  } else {
    args.push_back("--repetitions");
    args.push_back(std::to_string(request.repetitions));
  }
  if (request.kind == AllocatorKind::fastalloc32) {
    args.push_back("--fa32-config");
    args.push_back(request.fa32_config);
  }
  if (!request.expect_library.empty()) {
    args.push_back("--expect-library");
    args.push_back(request.expect_library);
  }
  if (request.memory_limit != UINT64_MAX) {
    args.push_back("--memory-limit");
    args.push_back(std::to_string(request.memory_limit));
  }
  args.push_back("--touch");
  args.push_back(std::string(replay::touch_name(request.touch)));
  if (request.parent > 0) {
    args.push_back("--parent");
    args.push_back(std::to_string(request.parent));
  }
  return args;
}

std::string to_json_text(const WorkerResult& r) {
  nlohmann::json j{
      {"schema_version", worker_schema_version},
      {"events", r.events},
      {"repetitions", r.repetitions},
      {"replay_ns", r.replay_ns},
      {"ns_per_event", r.ns_per_event},
      {"replay_cpu_ns", r.replay_cpu_ns},
      {"cpu_ns_per_event", r.cpu_ns_per_event},
      {"peak_rss_bytes", r.peak_rss_bytes},
      {"base_rss_bytes", r.base_rss_bytes},
      {"rss_peak_reset", r.rss_peak_reset},
      {"live_peak_bytes", r.live_peak_bytes},
      {"footprint_peak_bytes", nullptr},
      {"footprint_exact", r.footprint_exact},
      {"verified", r.verified},
      {"allocator", r.allocator_description},
  };
  if (r.footprint_peak_bytes) j["footprint_peak_bytes"] = *r.footprint_peak_bytes;
  return report::json_text(j, -1);
}

WorkerResult worker_result_from_json(const std::string& text) {
  // The worker prints exactly one JSON object; anything else in the stream
  // (a preloaded library writing to stdout) would be a bug worth seeing.
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw std::runtime_error("worker output is not a JSON object: '" + text.substr(0, 200) + "'");
  }
  if (j.value("schema_version", 0) != worker_schema_version) {
    throw std::runtime_error("worker output has schema_version " +
                             j.value("schema_version", nlohmann::json(0)).dump() + ", expected " +
                             std::to_string(worker_schema_version));
  }
  try {
    WorkerResult r;
    r.events = j.at("events").get<std::uint64_t>();
    r.repetitions = j.at("repetitions").get<std::uint64_t>();
    r.replay_ns = j.at("replay_ns").get<std::uint64_t>();
    r.ns_per_event = j.at("ns_per_event").get<double>();
    r.replay_cpu_ns = j.at("replay_cpu_ns").get<std::uint64_t>();
    r.cpu_ns_per_event = j.at("cpu_ns_per_event").get<double>();
    r.peak_rss_bytes = j.at("peak_rss_bytes").get<std::uint64_t>();
    r.base_rss_bytes = j.at("base_rss_bytes").get<std::uint64_t>();
    r.rss_peak_reset = j.at("rss_peak_reset").get<bool>();
    r.live_peak_bytes = j.at("live_peak_bytes").get<std::uint64_t>();
    if (!j.at("footprint_peak_bytes").is_null())
      r.footprint_peak_bytes = j["footprint_peak_bytes"].get<std::uint64_t>();
    r.footprint_exact = j.at("footprint_exact").get<bool>();
    r.verified = j.at("verified").get<std::vector<std::string>>();
    r.allocator_description = j.at("allocator").get<std::string>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("worker output is missing a field: ") + e.what());
  }
}

}  // namespace fa32::app::bench
