// Fuzz target: the YAML config and every provider section (their factories), and the
// Redis URL it names: parsed or refused, its one text form never holding the password.
#include <cstdlib>

#include "core/config/config.h"
#include "core/store/redis.h"
#include "providers/registry.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(config) {
  const std::string input(loa::fuzz::text(data, size));
  if (auto a = loa::store::RedisAddress::parse(input)) {
    if (a->password.size() >= 4 && a->shown.find(a->password) != std::string::npos &&
        a->shown.find(":***@") == std::string::npos)
      std::abort();  // shown carries the password
    if (a->port < 0 || a->port > 99999) std::abort();
  }
  auto path = loa::fuzz::write("loa.yaml", input);
  auto cfg = loa::config::load_config(path);
  if (!cfg) return 0;
  (void)loa::providers::build_providers(*cfg, "https://gw.example.vn");
  return 0;
}
