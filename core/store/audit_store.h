// The audit trail (CONTRACT.md "Who may do what"): every action on jobs, opt-outs and
// accounts, appended to the stream <prefix>:audit. Each entry carries the hash of the one
// before it and its own: SHA-256 over the previous hash and the entry's fields, so that an
// edited entry no longer matches its hash and a removed or inserted one breaks the chain
// at the entry after it. <prefix>:audit:head holds the last hash written (a removal from
// the end shows there); <prefix>:audit:base the hash the first kept entry follows, once
// retention has trimmed older ones. Only retention trims, and each cut leaves an entry
// in the chain ('audit-trim': the base it left, the last entry it dropped and when that
// was written), so a cut from the front that no such entry accounts for, or one that
// took entries younger than the retention period, is refused by verify(); so is an empty
// trail beside accounts or jobs (the whole trail deleted).
//
// Someone who can write to Redis can rewrite the whole chain and the head consistently
// (or append a forged cut entry); what verify() prints as the head is what to keep
// elsewhere (a log, a ticket) to detect that too (docs/api.md, "Accounts and the audit trail").
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store/store_base.h"

namespace loa::store {

struct AuditEntry {
  std::string id;          ///< the stream entry id (set when read)
  std::int64_t time_ms = 0;
  std::string actor;       ///< an account's name, or local:<unix user>, or gateway:<name>
  std::string source;      ///< where it came from: an address, or cli@<host>
  std::string action;      ///< send, approve, reject, cancel, retry, optout-add, ...
  std::string job;         ///< the job concerned, or ""
  nlohmann::json summary = nlohmann::json::object();
  std::string prev, hash;  ///< set when appended or read
};

/// The entry's hash: SHA-256 over `prev` and the fields, in a fixed order.
std::string audit_hash(const AuditEntry& e);

class AuditStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// Appends `e` (its time is now when unset) after the trail's current head, retrying when
  /// another writer came first; returns the entry as stored.
  std::expected<AuditEntry, std::string> append(AuditEntry e);

  struct Filter {
    std::string job;             ///< only this job's entries
    std::int64_t since_ms = 0;   ///< only entries at or after this time
  };
  /// The entries, oldest first, a batch at a time.
  std::expected<void, std::string> read(const Filter& f, const std::function<void(const AuditEntry&)>& fn);

  struct Verdict {
    long long entries = 0;
    std::string head;     ///< the last entry's hash ("" for an empty trail)
    std::string problem;  ///< "" when intact; otherwise the first bad entry and what is wrong
  };
  /// Checks the chain, its head and base; `retention_ms` (retention.audit_days) is the
  /// youngest a cut may have taken.
  std::expected<Verdict, std::string> verify(std::int64_t retention_ms);
  /// Retention (`retention_ms` before now): drops the entries older than that, the last
  /// one's hash kept as the base the chain now starts from, and records the cut as an
  /// 'audit-trim' entry by `actor` from `source`; returns how many went.
  std::expected<long long, std::string> trim(std::int64_t retention_ms, const std::string& actor,
                                             const std::string& source);
  /// The action of the entry a cut leaves.
  static constexpr std::string_view kTrimAction = "audit-trim";
};

}  // namespace loa::store
