// The numbers that asked for no more messages: kept in `<prefix>:optout` (international
// digits -> {reason, at}), read by every send (core/submit) and by the expander.
#pragma once
#include <map>
#include <string>

#include "core/store/store_base.h"

namespace loa::store {

class OptoutStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  std::expected<void, std::string> add(const std::string& digits, const std::string& reason);
  std::expected<bool, std::string> remove(const std::string& digits);
  /// digits -> stored JSON {reason, at}.
  std::expected<std::map<std::string, std::string>, std::string> list();
};

}  // namespace loa::store
