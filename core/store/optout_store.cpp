// The numbers that asked for no more messages (`<prefix>:optout`).
#include "core/store/optout_store.h"

#include <nlohmann/json.hpp>

#include "core/util/time.h"

namespace loa::store {

std::expected<void, std::string> OptoutStore::add(const std::string& digits, const std::string& reason) {
  // An earlier opt-out keeps its date.
  std::int64_t at = util::now_ms();
  auto earlier = redis_.command({"HGET", keys_.optout(), digits});
  if (!earlier) return std::unexpected(earlier.error());
  if (!earlier->nil()) {
    auto j = nlohmann::json::parse(earlier->text(), nullptr, false);
    if (j.is_object() && j.contains("at") && j["at"].is_number_integer()) at = j["at"].get<std::int64_t>();
  }
  nlohmann::json v{{"reason", reason}, {"at", at}};
  auto r = redis_.command({"HSET", keys_.optout(), digits, v.dump()});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<bool, std::string> OptoutStore::remove(const std::string& digits) {
  auto r = redis_.command({"HDEL", keys_.optout(), digits});
  if (!r) return std::unexpected(r.error());
  return r->as_int() > 0;
}

std::expected<std::map<std::string, std::string>, std::string> OptoutStore::list() {
  auto r = redis_.command({"HGETALL", keys_.optout()});
  if (!r) return std::unexpected(r.error());
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < r->elements.size(); i += 2)
    if (i + 1 < r->elements.size()) out[r->elements[i].text()] = r->elements[i + 1].text();
  return out;
}

}  // namespace loa::store
