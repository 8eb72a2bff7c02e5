// Accounts in Redis.
#include "core/store/account_store.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/util/encoding.h"
#include "core/util/strings.h"

namespace loa::store {

std::string_view name(Role r) {
  switch (r) {
    case Role::officer: return "officer";
    case Role::approver: return "approver";
    case Role::admin: return "admin";
  }
  return "?";
}

std::optional<Role> role(std::string_view name) {
  for (Role r : {Role::officer, Role::approver, Role::admin})
    if (store::name(r) == name) return r;
  return std::nullopt;
}

bool Account::may_use(const std::string& ward) const {
  return role == Role::admin || std::find(wards.begin(), wards.end(), ward) != wards.end();
}

std::expected<std::string, std::string> new_token() {
  unsigned char bytes[32];
  for (std::size_t got = 0; got < sizeof bytes;) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(std::string("no random bytes: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  std::string b64 = util::base64(std::string(reinterpret_cast<const char*>(bytes), sizeof bytes));
  // base64url without padding: safe in headers, files and shells.
  std::string out = "loa_";
  for (char c : b64) {
    if (c == '=') break;
    out += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

namespace {
Account account_of(const std::string& name, const Reply& hash) {
  Account a;
  a.name = name;
  const auto& e = hash.elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    const std::string k = e[i].text();
    if (k == "role") a.role = role(e[i + 1].text()).value_or(Role::officer);
    else if (k == "wards") {
      const std::string list = e[i + 1].text();  // split() returns views into it
      for (auto w : util::split(list, ",")) a.wards.emplace_back(w);
    } else if (k == "created") a.created_ms = e[i + 1].as_int();
    else if (k == "created_by") a.created_by = e[i + 1].text();
  }
  return a;
}
}  // namespace

std::expected<AccountStore::Added, std::string> AccountStore::add(const Account& a, const std::string& by) {
  auto token = new_token();
  if (!token) return std::unexpected(token.error());
  const std::string hash = util::sha256_hex(*token);
  auto r = run(scripts::Id::account_add, {keys_.account(a.name), keys_.token(hash), keys_.accounts()},
               {a.name, std::string(name(a.role)), util::join(a.wards, ","), hash, by});
  if (!r) return std::unexpected(r.error());
  if (r->as_int() != 1) return Added{};
  return Added{true, *token};
}

std::expected<std::vector<Account>, std::string> AccountStore::list() {
  auto names = redis_.command({"SMEMBERS", keys_.accounts()});
  if (!names) return std::unexpected(names.error());
  std::vector<std::string> sorted;
  for (const auto& n : names->elements) sorted.push_back(n.text());
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::vector<std::string>> cmds;
  for (const auto& n : sorted) cmds.push_back({"HGETALL", keys_.account(n)});
  auto hashes = redis_.pipeline(cmds);
  if (!hashes) return std::unexpected(hashes.error());
  std::vector<Account> out;
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (!(*hashes)[i].elements.empty()) out.push_back(account_of(sorted[i], (*hashes)[i]));
  return out;
}

std::expected<bool, std::string> AccountStore::revoke(const std::string& name) {
  auto r = run(scripts::Id::account_revoke, {keys_.account(name), keys_.accounts()}, {name});
  if (!r) return std::unexpected(r.error());
  return r->as_int() == 1;
}

std::expected<std::optional<Account>, std::string> AccountStore::by_token(const std::string& token) {
  auto name = redis_.command({"GET", keys_.token(util::sha256_hex(token))});
  if (!name) return std::unexpected(name.error());
  if (name->nil()) return std::nullopt;
  auto hash = redis_.command({"HGETALL", keys_.account(name->text())});
  if (!hash) return std::unexpected(hash.error());
  if (hash->elements.empty()) return std::nullopt;
  return account_of(name->text(), *hash);
}

}  // namespace loa::store
