// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "fa32/traces/generate.hpp"

namespace fa32::traces {
namespace {

// Some 800,000 [size, weight] pairs.
constexpr std::size_t kMaxHistogramFile = std::size_t{16} << 20;

std::uint64_t to_u64(std::string_view s, std::string_view spec) {
  std::uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  // Digits past 2^64 - 1 are a number, too large: "not an integer" misled.
  if (r.ec == std::errc::result_out_of_range && r.ptr == s.data() + s.size()) {
    throw std::invalid_argument("size distribution \"" + std::string(spec) + "\": \"" + std::string(s) +
                                "\" is more than " +
                                std::to_string(std::numeric_limits<std::uint64_t>::max()));
  }
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    throw std::invalid_argument("size distribution \"" + std::string(spec) + "\": \"" + std::string(s) +
                                "\" is not a non-negative integer");
  }
  return v;
}

std::pair<std::uint64_t, std::uint64_t> range(std::string_view s, std::string_view spec) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos) {
    throw std::invalid_argument("size distribution \"" + std::string(spec) + "\": expected a range LO-HI");
  }
  auto lo = to_u64(s.substr(0, dash), spec);
  auto hi = to_u64(s.substr(dash + 1), spec);
  if (lo > hi) throw std::invalid_argument("size distribution \"" + std::string(spec) + "\": LO > HI");
  return {lo, hi};
}

}  // namespace

SizeDistribution SizeDistribution::fixed(std::uint64_t size) {
  SizeDistribution d;
  d.kind_ = Kind::fixed;
  d.lo_ = d.hi_ = size;
  return d;
}

SizeDistribution SizeDistribution::uniform(std::uint64_t lo, std::uint64_t hi) {
  if (lo > hi) throw std::invalid_argument("uniform sizes: lo > hi");
  SizeDistribution d;
  d.kind_ = Kind::uniform;
  d.lo_ = lo;
  d.hi_ = hi;
  return d;
}

SizeDistribution SizeDistribution::power(std::uint64_t lo, std::uint64_t hi, double alpha) {
  if (lo == 0 || lo > hi) throw std::invalid_argument("power-law sizes: need 1 <= lo <= hi");
  if (!(alpha > 0) || alpha > 10) throw std::invalid_argument("power-law sizes: alpha must be in (0, 10]");
  SizeDistribution d;
  d.kind_ = Kind::power;
  d.lo_ = lo;
  d.hi_ = hi;
  d.alpha_ = alpha;
  return d;
}

SizeDistribution SizeDistribution::histogram(std::vector<std::pair<std::uint64_t, double>> weights) {
  SizeDistribution d;
  d.kind_ = Kind::histogram;
  double total = 0;
  for (auto& [size, w] : weights) {
    if (!(w >= 0) || !std::isfinite(w)) throw std::invalid_argument("size histogram: weights must be >= 0");
    if (w == 0) continue;
    total += w;
    d.sizes_.push_back(size);
    d.cumulative_.push_back(total);
  }
  if (total <= 0) throw std::invalid_argument("size histogram: no size has a positive weight");
  // Finite weights can still add up to infinity, and every share would then
  // be 0 or NaN: the last size would take every sample.
  if (!std::isfinite(total)) throw std::invalid_argument("size histogram: the weights add up past a double");
  for (double& c : d.cumulative_) c /= total;
  d.lo_ = *std::min_element(d.sizes_.begin(), d.sizes_.end());
  d.hi_ = *std::max_element(d.sizes_.begin(), d.sizes_.end());
  return d;
}

SizeDistribution SizeDistribution::mixture(std::vector<std::pair<double, SizeDistribution>> parts) {
  SizeDistribution d;
  d.kind_ = Kind::mixture;
  double total = 0;
  for (auto& [w, part] : parts) {
    total += w;
    d.cumulative_.push_back(total);
    d.parts_.push_back(std::move(part));
  }
  if (total <= 0) throw std::invalid_argument("size mixture: no part has a positive weight");
  for (double& c : d.cumulative_) c /= total;
  d.lo_ = UINT64_MAX;
  d.hi_ = 0;
  for (const auto& p : d.parts_) {
    d.lo_ = std::min(d.lo_, p.min());
    d.hi_ = std::max(d.hi_, p.max());
  }
  return d;
}

SizeDistribution SizeDistribution::parse(std::string_view spec) {
  auto colon = spec.find(':');
  std::string_view kind = spec.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (kind == "fixed") return fixed(to_u64(rest, spec));
  if (kind == "uniform") {
    auto [lo, hi] = range(rest, spec);
    return uniform(lo, hi);
  }
  if (kind == "power") {
    auto c2 = rest.find(':');
    auto [lo, hi] = range(rest.substr(0, c2), spec);
    double alpha = 1.5;
    if (c2 != std::string_view::npos) {
      std::string a(rest.substr(c2 + 1));
      char* end = nullptr;
      alpha = std::strtod(a.c_str(), &end);
      if (a.empty() || *end != '\0') {
        throw std::invalid_argument("size distribution \"" + std::string(spec) + "\": bad exponent");
      }
    }
    return power(lo, hi, alpha);
  }
  if (kind == "hist") {
    std::string text(rest);
    if (!text.empty() && text[0] == '@') {
      const std::string path = text.substr(1);
      std::ifstream f(path, std::ios::binary);
      if (!f) throw std::invalid_argument("size histogram: cannot open " + path);
      // Read up to the limit and one byte: a whole file, however large (or
      // /dev/zero, never ending), took memory until the process was killed.
      text.assign(kMaxHistogramFile + 1, '\0');
      f.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<std::size_t>(f.gcount()));
      if (text.size() > kMaxHistogramFile)
        throw std::invalid_argument("size histogram: " + path + " is larger than 16 MiB: not a histogram?");
    }
    // nlohmann keeps the last of a key given twice ({"16":1,"16":5} read
    // as {"16":5}, a weight dropped without a word): refuse it, as trace
    // headers do.
    std::set<std::string> keys;
    std::string twice;
    auto once = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
      if (ev == nlohmann::json::parse_event_t::key && depth == 1 && twice.empty() &&
          !keys.insert(parsed.get<std::string>()).second)
        twice = parsed.get<std::string>();
      return true;
    };
    nlohmann::json j = nlohmann::json::parse(text, once, false);
    if (j.is_discarded()) throw std::invalid_argument("size histogram: not valid JSON");
    if (!twice.empty()) throw std::invalid_argument("size histogram: size \"" + twice + "\" is given twice");
    std::vector<std::pair<std::uint64_t, double>> w;
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_number()) throw std::invalid_argument("size histogram: weights must be numbers");
        w.emplace_back(to_u64(it.key(), spec), it.value().get<double>());
      }
    } else if (j.is_array()) {
      for (const auto& e : j) {
        if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number()) {
          throw std::invalid_argument("size histogram: expected [[size, weight], ...]");
        }
        w.emplace_back(e[0].get<std::uint64_t>(), e[1].get<double>());
      }
    } else {
      throw std::invalid_argument("size histogram: expected an array of [size, weight] or an object");
    }
    return histogram(std::move(w));
  }
  throw std::invalid_argument("size distribution \"" + std::string(spec) +
                              "\": expected fixed:N, uniform:LO-HI, power:LO-HI[:ALPHA] or hist:JSON|@FILE");
}

std::uint64_t SizeDistribution::min() const {
  return lo_;
}
std::uint64_t SizeDistribution::max() const {
  return hi_;
}

std::uint64_t SizeDistribution::sample(Rng& rng) const {
  switch (kind_) {
    case Kind::fixed:
      return lo_;
    case Kind::uniform:
      return rng.between(lo_, hi_);
    case Kind::power: {
      // Inverse CDF of the continuous density s^-alpha on [lo, hi + 1).
      double u = rng.unit();
      double a = static_cast<double>(lo_), b = static_cast<double>(hi_) + 1.0;
      double x;
      if (std::fabs(alpha_ - 1.0) < 1e-9) {
        x = a * std::pow(b / a, u);
      } else {
        double e = 1.0 - alpha_;
        double pa = std::pow(a, e), pb = std::pow(b, e);
        x = std::pow(pa + u * (pb - pa), 1.0 / e);
      }
      // Near 2^64, hi + 1 and so x round up to 2^64, and converting that to
      // 64 bits is undefined (x86 gives 0, clamped to lo): it is hi.
      if (!(x < 0x1p64)) return hi_;
      auto s = static_cast<std::uint64_t>(x);
      return std::clamp(s, lo_, hi_);
    }
    case Kind::histogram: {
      double u = rng.unit();
      auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      std::size_t i =
          std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()), sizes_.size() - 1);
      return sizes_[i];
    }
    case Kind::mixture: {
      double u = rng.unit();
      auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      std::size_t i =
          std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()), parts_.size() - 1);
      return parts_[i].sample(rng);
    }
  }
  return lo_;
}

std::string SizeDistribution::describe() const {
  switch (kind_) {
    case Kind::fixed:
      return "fixed:" + std::to_string(lo_);
    case Kind::uniform:
      return "uniform:" + std::to_string(lo_) + "-" + std::to_string(hi_);
    case Kind::power: {
      // The shortest text that reads back as alpha itself (a stream's six
      // digits gave 1.23457 for 1.23456789: another distribution).
      char alpha[32];
      const auto end = std::to_chars(alpha, alpha + sizeof alpha, alpha_).ptr;
      return "power:" + std::to_string(lo_) + "-" + std::to_string(hi_) + ":" + std::string(alpha, end);
    }
    case Kind::histogram: {
      std::string s = "hist:[";
      double prev = 0;
      for (std::size_t i = 0; i < sizes_.size(); ++i) {
        std::ostringstream w;
        w << (cumulative_[i] - prev);
        prev = cumulative_[i];
        s += (i ? ",[" : "[") + std::to_string(sizes_[i]) + "," + w.str() + "]";
      }
      return s + "]";
    }
    case Kind::mixture: {
      std::string s = "mix(";
      double prev = 0;
      for (std::size_t i = 0; i < parts_.size(); ++i) {
        std::ostringstream w;
        w << (cumulative_[i] - prev);
        prev = cumulative_[i];
        s += (i ? ", " : "") + w.str() + " " + parts_[i].describe();
      }
      return s + ")";
    }
  }
  return "?";
}

}  // namespace fa32::traces
