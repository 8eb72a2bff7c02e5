// What the fuzz targets share: how a target is declared, and a private folder for the
// inputs that readers take as files.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

namespace loa::fuzz {

using Target = int (*)(const std::uint8_t* data, std::size_t size);

/// Every target linked into this binary, by name (the replay binary links them all).
inline std::map<std::string, Target>& targets() {
  static std::map<std::string, Target> all;
  return all;
}

inline bool add_target(const char* name, Target run) {
  targets().emplace(name, run);
  return true;
}

/// A folder of this process's own, made once, under $TMPDIR or /tmp.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("loa-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

/// Writes `bytes` to `name` in the scratch folder and returns its path.
inline std::string write(const std::string& name, std::string_view bytes) {
  auto path = scratch() / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace loa::fuzz

// LOA_FUZZ_TARGET(name) { ...body over data, size... } defines a target: libFuzzer's entry
// point in loa_fuzz_<name>, and one named entry of the table in loa_fuzz_replay, which
// links every target (LOA_FUZZ_REPLAY), so one binary replays all the corpora.
#ifdef LOA_FUZZ_REPLAY
#define LOA_FUZZ_TARGET(name)                                                                  \
  static int loa_fuzz_##name(const std::uint8_t* data, std::size_t size);                     \
  [[maybe_unused]] static const bool loa_fuzz_added_##name = loa::fuzz::add_target(#name, &loa_fuzz_##name); \
  static int loa_fuzz_##name(const std::uint8_t* data, std::size_t size)
#else
#define LOA_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
#endif
