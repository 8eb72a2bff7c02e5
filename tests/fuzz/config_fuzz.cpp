// Fuzz target: the YAML config and every provider section (their factories).
#include "core/config/config.h"
#include "providers/registry.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(config) {
  auto path = loa::fuzz::write("loa.yaml", loa::fuzz::text(data, size));
  auto cfg = loa::config::load_config(path);
  if (!cfg) return 0;
  (void)loa::providers::build_providers(*cfg, "https://gw.example.vn");
  return 0;
}
