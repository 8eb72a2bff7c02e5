// Accounts of the officials' API (CONTRACT.md "Who may do what"): a name, a role and the
// wards it may send to. The token is shown once, when the account is made; Redis keeps
// only its SHA-256 (a token is 256 random bits, so a fast hash is enough), under which
// each request looks the account up, so a revocation holds on every gateway at once.
//
// Keys: account:<name> (hash: role, wards, token, created, created_by), token:<sha256>
// (the account's name), accounts (the set of names).
#pragma once
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store_base.h"

namespace loa::store {

enum class Role { officer, approver, admin };

std::string_view name(Role r);
std::optional<Role> role(std::string_view name);

struct Account {
  std::string name;
  Role role = Role::officer;
  std::vector<std::string> wards;  ///< empty for an admin: every ward
  std::int64_t created_ms = 0;
  std::string created_by;

  /// Whether the account may work with `ward` (an admin with all).
  bool may_use(const std::string& ward) const;
};

/// A fresh token: "loa_" and 43 base64url characters of 32 bytes from the kernel's random
/// source.
std::expected<std::string, std::string> new_token();

class AccountStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// Makes the account with a new token and returns the token; false in `created` when
  /// the name is taken (nothing changes then).
  struct Added {
    bool created = false;
    std::string token;
  };
  std::expected<Added, std::string> add(const Account& a, const std::string& by);
  /// Every account, by name.
  std::expected<std::vector<Account>, std::string> list();
  /// Removes the account and its token; false when there was none.
  std::expected<bool, std::string> revoke(const std::string& name);
  /// The account a token belongs to; nullopt for an unknown or revoked one.
  std::expected<std::optional<Account>, std::string> by_token(const std::string& token);
};

}  // namespace loa::store
