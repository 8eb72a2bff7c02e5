// The audit trail in Redis.
#include "core/store/audit_store.h"

#include <fmt/format.h>

#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "core/util/time.h"

namespace loa::store {

std::string audit_hash(const AuditEntry& e) {
  // A JSON array: every field delimited, so no two different entries hash the same text.
  const nlohmann::json fields = {e.prev, e.time_ms, e.actor, e.source, e.action, e.job, e.summary.dump()};
  return util::sha256_hex(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

namespace {

constexpr int kAppendTries = 50;
constexpr int kBatch = 500;

// A stream entry [id, [field, value, ...]] as an entry; the fields Loa writes only.
AuditEntry entry_of(const Reply& r) {
  AuditEntry e;
  e.id = r.elements.at(0).text();
  const auto& f = r.elements.at(1).elements;
  for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
    const std::string k = f[i].text();
    const std::string v = f[i + 1].text();
    if (k == "time") e.time_ms = f[i + 1].as_int();
    else if (k == "actor") e.actor = v;
    else if (k == "source") e.source = v;
    else if (k == "action") e.action = v;
    else if (k == "job") e.job = v;
    else if (k == "summary") e.summary = nlohmann::json::parse(v, nullptr, false);
    else if (k == "prev") e.prev = v;
    else if (k == "hash") e.hash = v;
  }
  if (e.summary.is_discarded()) e.summary = "(not JSON)";
  return e;
}

// The id right after `id` in stream order ("<ms>-<seq+1>").
std::string after(const std::string& id) {
  auto dash = id.find('-');
  if (dash == std::string::npos) return id;
  return id.substr(0, dash + 1) + std::to_string(std::stoull(id.substr(dash + 1)) + 1);
}

}  // namespace

std::expected<AuditEntry, std::string> AuditStore::append(AuditEntry e) {
  if (e.time_ms == 0) e.time_ms = util::now_ms();
  for (int attempt = 0; attempt < kAppendTries; ++attempt) {
    auto head = redis_.command({"GET", keys_.audit_head()});
    if (!head) return std::unexpected(head.error());
    e.prev = head->nil() ? "" : head->text();
    e.hash = audit_hash(e);
    auto r = run(scripts::Id::audit_append, {keys_.audit(), keys_.audit_head()},
                 {e.prev, e.hash, "time", std::to_string(e.time_ms), "actor", e.actor, "source", e.source, "action",
                  e.action, "job", e.job, "summary", e.summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "prev", e.prev, "hash", e.hash});
    if (!r) return std::unexpected(r.error());
    if (!r->nil()) {
      e.id = r->text();
      return e;
    }
  }
  return std::unexpected(fmt::format("the audit trail kept moving: {} tries to append failed", kAppendTries));
}

std::expected<void, std::string> AuditStore::read(const Filter& f, const std::function<void(const AuditEntry&)>& fn) {
  std::string from = f.since_ms > 0 ? std::to_string(f.since_ms) : "-";
  for (;;) {
    auto r = redis_.command({"XRANGE", keys_.audit(), from, "+", "COUNT", std::to_string(kBatch)});
    if (!r) return std::unexpected(r.error());
    for (const auto& item : r->elements) {
      AuditEntry e = entry_of(item);
      if ((f.job.empty() || e.job == f.job) && e.time_ms >= f.since_ms) fn(e);
    }
    if (static_cast<int>(r->elements.size()) < kBatch) return {};
    from = after(r->elements.back().elements.at(0).text());
  }
}

std::expected<AuditStore::Verdict, std::string> AuditStore::verify(std::int64_t retention_ms) {
  auto base = redis_.command({"GET", keys_.audit_base()});
  if (!base) return std::unexpected(base.error());
  Verdict v;
  const std::string first_prev = base->nil() ? "" : base->text();
  std::string expected = first_prev;
  std::optional<AuditEntry> last_cut;  // the last 'audit-trim' entry
  std::string from = "-";
  for (;;) {
    auto r = redis_.command({"XRANGE", keys_.audit(), from, "+", "COUNT", std::to_string(kBatch)});
    if (!r) return std::unexpected(r.error());
    for (const auto& item : r->elements) {
      AuditEntry e = entry_of(item);
      ++v.entries;
      if (e.prev != expected) {
        v.problem = i18n::trf("entry {} does not follow the entry before it: one was removed or inserted there", e.id);
        return v;
      }
      if (audit_hash(e) != e.hash) {
        v.problem = i18n::trf("entry {} was changed after it was written: its contents do not match its hash", e.id);
        return v;
      }
      if (e.action == kTrimAction) {
        // A cut may take only what was older than the retention period when it was made
        // (a minute's leeway for clocks).
        const auto& s = e.summary;
        const std::int64_t youngest = s.is_object() ? s.value("last_cut_ms", std::int64_t{-1}) : -1;
        if (youngest < 0 || youngest > e.time_ms - retention_ms + 60000) {
          v.problem = i18n::trf("entry {} records a cut of entries younger than the retention period ({} days): "
                                "entries were removed",
                                e.id, retention_ms / 86400000);
          return v;
        }
        last_cut = e;
      }
      expected = e.hash;
    }
    if (static_cast<int>(r->elements.size()) < kBatch) break;
    from = after(r->elements.back().elements.at(0).text());
  }
  // The trail starts where the last cut left it, or at the beginning.
  const std::string cut_base = last_cut && last_cut->summary.is_object() ? last_cut->summary.value("base", "") : "";
  if (!first_prev.empty() && first_prev != cut_base) {
    v.problem = i18n::tr("the trail was cut from the front, and not by retention: no cut recorded in it left the entry "
                         "it now starts from");
    return v;
  }
  auto head = redis_.command({"GET", keys_.audit_head()});
  if (!head) return std::unexpected(head.error());
  const std::string last = head->nil() ? "" : head->text();
  if (last != expected) {
    v.problem = v.entries == 0 && !last.empty()
                    ? i18n::tr("the trail is empty, but entries were written: they were removed")
                    : i18n::tr("the trail does not end with the last entry written: entries were removed from its "
                               "end or added after it");
    return v;
  }
  if (v.entries == 0) {
    // Nothing was ever written, or the whole trail was deleted: accounts and jobs are
    // each written with an entry, and a cut always leaves one.
    auto others = redis_.pipeline({{"EXISTS", keys_.accounts()}, {"EXISTS", keys_.index()}});
    if (!others) return std::unexpected(others.error());
    if ((*others)[0].as_int() > 0 || (*others)[1].as_int() > 0) {
      v.problem = i18n::tr("the trail is empty, but there are accounts or jobs, whose making it records: it was deleted");
      return v;
    }
  }
  v.head = expected;
  return v;
}

std::expected<long long, std::string> AuditStore::trim(std::int64_t retention_ms, const std::string& actor,
                                                       const std::string& source) {
  for (int attempt = 0; attempt < kAppendTries; ++attempt) {
    AuditEntry e{.time_ms = util::now_ms(), .actor = actor, .source = source, .action = std::string(kTrimAction)};
    const std::int64_t cutoff = e.time_ms - retention_ms;
    // The last entry to go, and how many go with it.
    auto last = redis_.command({"XREVRANGE", keys_.audit(), "(" + std::to_string(cutoff) + "-0", "-", "COUNT", "1"});
    if (!last) return std::unexpected(last.error());
    if (last->elements.empty()) return 0;
    const AuditEntry cut = entry_of(last->elements.front());
    long long count = 0;
    for (std::string from = "-";;) {
      auto r = redis_.command({"XRANGE", keys_.audit(), from, cut.id, "COUNT", std::to_string(kBatch)});
      if (!r) return std::unexpected(r.error());
      count += static_cast<long long>(r->elements.size());
      if (static_cast<int>(r->elements.size()) < kBatch) break;
      from = after(r->elements.back().elements.at(0).text());
    }
    auto head = redis_.command({"GET", keys_.audit_head()});
    if (!head) return std::unexpected(head.error());
    e.prev = head->nil() ? "" : head->text();
    e.summary = {{"base", cut.hash},       {"last_cut", cut.id},        {"last_cut_ms", cut.time_ms},
                 {"entries", count},       {"cutoff_ms", cutoff},       {"retention_days", retention_ms / 86400000}};
    e.hash = audit_hash(e);
    auto r = run(scripts::Id::audit_trim, {keys_.audit(), keys_.audit_base(), keys_.audit_head()},
                 {std::to_string(cutoff), cut.id, e.prev, e.hash, "time", std::to_string(e.time_ms), "actor", e.actor,
                  "source", e.source, "action", e.action, "job", e.job, "summary",
                  e.summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "prev", e.prev, "hash", e.hash});
    if (!r) return std::unexpected(r.error());
    if (!r->nil()) return r->as_int();
  }
  return std::unexpected(fmt::format("the audit trail kept moving: {} tries to trim it failed", kAppendTries));
}

}  // namespace loa::store
