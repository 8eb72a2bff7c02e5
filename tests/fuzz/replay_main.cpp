// Runs a fuzz target over files (seed corpora and crashes found before), without libFuzzer:
// the suite replays them on every build, so a crash once found stays a test. One binary
// holds every target (tests/fuzz/fuzz.h, LOA_FUZZ_TARGET).
//   loa_fuzz_replay TARGET FILE_OR_DIR...
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/fuzz/fuzz.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const auto& all = loa::fuzz::targets();
  const auto target = argc > 1 ? all.find(argv[1]) : all.end();
  if (target == all.end()) {
    std::fprintf(stderr, "usage: loa_fuzz_replay TARGET FILE_OR_DIR...\ntargets:");
    for (const auto& [name, run] : all) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (const auto& e : fs::recursive_directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(argv[i]);
    }
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    target->second(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu input(s) replayed\n", target->first.c_str(), files.size());
  return files.empty() ? 1 : 0;
}
