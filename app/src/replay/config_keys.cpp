// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/replay/config_keys.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "fa32/app/cli.hpp"
#include "fa32/app/replay/allocator_config.hpp"

namespace fa32::app::replay {
namespace {

const std::array kKeys{
    ConfigKey{"preset", KeyKind::name,
              "fastalloc32 config to start from: default (the library's default as embedders get it, "
              "peaks off), profiling (the same with the peaks kept; fa32 replay and stats start from it), "
              "compact (the default with trim-pools: a smaller footprint, a little slower) or original (the "
              "C fastalloc32's one 128 B class, 1 MiB pool, no growth)",
              &Fa32Flags::preset},
    ConfigKey{"config", KeyKind::name,
              "fastalloc32 settings from a JSON file of these same keys, on top of the preset (flags "
              "override it)",
              &Fa32Flags::config_file},
    ConfigKey{"block-size", KeyKind::size,
              "One size class of N bytes (the original's layout; at most 65520, larger requests take the "
              "large path)",
              &Fa32Flags::block_size},
    ConfigKey{"classes", KeyKind::sizes,
              "Size classes, ascending, e.g. 16,32,64,128 (each a multiple of the alignment, at most 65520)",
              &Fa32Flags::classes},
    ConfigKey{"pool-size", KeyKind::size, "Pool bytes per class (e.g. 1M)", &Fa32Flags::pool_size},
    ConfigKey{"pool-limit", KeyKind::size,
              "Let a full pool grow, a pool-size chunk at a time, while the class holds at most N bytes (one "
              "chunk less when its chunks make a power of two of pages: see pool_limit in fastalloc32.h; 0: "
              "no growth)",
              &Fa32Flags::pool_limit},
    ConfigKey{"grow", KeyKind::toggle,
              "Let full pools grow up to 1 GiB per class, or the pool size if larger (--no-grow: pool limit "
              "0, each class keeps its first pool and falls back when it is full; with neither, the "
              "preset's limit: 64 MiB a class in default, profiling and compact)",
              nullptr, &Fa32Flags::grow},
    ConfigKey{"cache", KeyKind::count, "Entries in each class's freed-block cache (at most 16777216)",
              &Fa32Flags::cache},
    ConfigKey{"align", KeyKind::size,
              "Minimum alignment of every block: a power of two, 16 to 32K on x86-64, that "
              "every class size is a multiple of",
              &Fa32Flags::align},
    ConfigKey{"large-cache", KeyKind::size, "Bytes of freed large blocks kept for reuse (0: none)",
              &Fa32Flags::large_cache},
    ConfigKey{"large-arena", KeyKind::size,
              "Address space for the large arena, which serves large requests from 16 KiB below the mmap "
              "threshold without system calls (0: none)",
              &Fa32Flags::large_arena},
    ConfigKey{"mmap-threshold", KeyKind::size, "Large requests from this size go straight to mmap",
              &Fa32Flags::mmap_threshold},
    ConfigKey{"secure-zero", KeyKind::toggle,
              "Wipe every block when it is freed or realloc moves it; every free takes the slow path "
              "(--no-secure-zero: off; with neither, the preset's: off in every preset)",
              nullptr, &Fa32Flags::secure_zero},
    ConfigKey{"peaks", KeyKind::toggle,
              "Keep peaks in fastalloc32 (track_peaks): without them the per-class peaks of requested bytes "
              "are not measured: null in the JSON report (--no-peaks: off; with neither, the preset's: on in "
              "profiling and original, off in default and compact)",
              nullptr, &Fa32Flags::peaks},
    ConfigKey{"trim-pools", KeyKind::toggle,
              "Before the footprint sets a new peak, give back the pages of the free blocks at the top of "
              "each class (past 64 KiB, whole page runs): a smaller footprint peak, no huge pages, and pages "
              "used again are made present again (--no-trim-pools: off; with neither, the preset's: on in "
              "compact only)",
              nullptr, &Fa32Flags::trim_pools},
    ConfigKey{"huge-pages", KeyKind::toggle,
              "Let classes past 8 MiB of pool ask for huge pages, when the kernel grants them "
              "(--no-huge-pages: ordinary pages only, made present in runs of 64 KiB: a smaller footprint "
              "peak, more TLB misses; with neither, the preset's: on in every preset, though trim-pools has "
              "none)",
              nullptr, &Fa32Flags::huge_pages},
};

std::string_view type_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::size:
      return "SIZE";
    case KeyKind::sizes:
      return "LIST";
    case KeyKind::count:
      return "N";
    default:
      return "NAME";
  }
}

}  // namespace

std::span<const ConfigKey> config_keys() {
  return kKeys;
}

const ConfigKey* find_config_key(std::string_view name) {
  std::string canonical(name);
  std::replace(canonical.begin(), canonical.end(), '_', '-');
  for (const ConfigKey& k : kKeys)
    if (k.name == canonical) return &k;
  return nullptr;
}

std::string config_key_list() {
  std::string out;
  for (const ConfigKey& k : kKeys) {
    if (!out.empty()) out += ", ";
    out += k.name;
  }
  return out;
}

void set_config_key(Fa32Flags& flags, const ConfigKey& key, std::string value, const std::string& what) {
  if (key.toggle != nullptr) {
    if (value != "true" && value != "false") throw InputError(what + ": expected true or false");
    const bool on = value == "true";
    std::optional<bool>& slot = flags.*key.toggle;
    if (slot && *slot != on) throw InputError(what + ": given both on and off; give one");
    slot = on;
    return;
  }
  // An empty value would read as "not given" and leave the preset's.
  if (value.empty()) throw InputError(what + ": empty; give a value");
  std::string& slot = flags.*key.text;
  if (!slot.empty() && slot != value) throw InputError(what + ": given twice; give one");
  slot = std::move(value);
}

std::string first_key_set(const Fa32Flags& flags) {
  for (const ConfigKey& k : kKeys) {
    const bool set = k.toggle != nullptr ? (flags.*k.toggle).has_value() : !(flags.*k.text).empty();
    if (set) return std::string(k.name);
  }
  return {};
}

void add_config_options(CLI::App& sub, Fa32Flags& flags) {
  for (const ConfigKey& k : kKeys) {
    const std::string flag = "--" + std::string(k.name);
    if (k.toggle != nullptr) {
      // Two flags, not CLI11's "--x,!--no-x": that one nets the counts, so
      // --x --no-x --x read as on, and its help showed "{false}", which read
      // as the default. Each records what it was given; both is an error.
      std::optional<bool>* slot = &(flags.*k.toggle);
      const std::string off = "--no-" + std::string(k.name);
      const auto set = [slot, flag](bool on) {
        if (slot->has_value() && **slot != on)
          throw CLI::ValidationError(flag, "given both on and off; give one");
        *slot = on;
      };
      // Each occurrence's value is read as a file's or a spec's: --peaks=false
      // is off. CLI11 sums a flag's values as counts, and the callbacks saw
      // only the sum and ignored it, so --peaks=false turned peaks on, and a
      // value it cannot count (--peaks=x) aborted the program on an uncaught
      // std::invalid_argument. A check keeps each value as given (a plain
      // flag's is "true") and hands CLI11 a count it can sum (a transform:
      // a check would see a copy).
      const auto kept_on = std::make_shared<std::vector<std::string>>();
      const auto kept_off = std::make_shared<std::vector<std::string>>();
      const auto keep = [](const std::shared_ptr<std::vector<std::string>>& kept) {
        return CLI::Validator(
            [kept](std::string& v) {
              kept->push_back(v);
              v = "1";
              return std::string();
            },
            "", "kept");
      };
      sub.add_flag_function(
             flag,
             [set, flag, kept_on](std::int64_t) {
               for (const std::string& v : *kept_on) {
                 if (v != "true" && v != "false")
                   throw CLI::ValidationError(flag, "expected true or false, got '" + v + "'");
                 set(v == "true");
               }
               kept_on->clear();
             },
             std::string(k.help))
          ->transform(keep(kept_on));
      sub.add_flag_function(
             off,
             [set, off, kept_off](std::int64_t) {
               for (const std::string& v : *kept_off) {
                 if (v != "true") throw CLI::ValidationError(off, "takes no value");
                 set(false);
               }
               kept_off->clear();
             },
             "Turn " + flag + " off")
          ->transform(keep(kept_off))
          ->group("");
      continue;
    }
    CLI::Option* o = sub.add_option(flag, flags.*k.text, std::string(k.help));
    // An empty value would read as "not given" and leave the preset's.
    o->check(CLI::Validator(
        [](std::string& v) { return v.empty() ? std::string("empty; give a value") : ""; }, "", "not empty"));
    o->type_name(std::string(type_name(k.kind)));
    if (k.name == "preset") o->check(CLI::IsMember(preset_names()));
    if (k.name == "config") o->type_name("FILE");
  }
}

}  // namespace fa32::app::replay
