// What every stage's store shares: the connection, the key prefix and running a script.
// Every key comes from core/store/keys.h; the scripts are in core/store/lua.
#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/keys.h"
#include "core/store/redis.h"
#include "core/store/scripts.h"

namespace loa::store {

class StoreBase {
 public:
  StoreBase(Redis& redis, std::string prefix) : redis_(redis), p_(prefix), keys_(std::move(prefix)) {}
  const std::string& prefix() const { return p_; }
  const Keys& keys() const { return keys_; }

 protected:
  /// Runs a script with the prefix as its first argument (every script's ARGV[1]).
  std::expected<Reply, std::string> run(scripts::Id id, const std::vector<std::string>& keys,
                                        std::vector<std::string> args) {
    args.insert(args.begin(), p_);
    return redis_.eval(scripts::get(id), keys, args);
  }
  Redis& redis_;
  std::string p_;
  Keys keys_;
};

/// Idempotency keys outlive a yearly timer.
inline constexpr std::int64_t kKeyTtlSeconds = 400LL * 24 * 3600;

}  // namespace loa::store
