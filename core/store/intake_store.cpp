// The job stream and admission.
#include "core/store/intake_store.h"

#include "core/util/strings.h"

namespace loa::store {

std::string IntakeStore::idem_key(const jobs::JobSpec& spec) const {
  // The sender's name with its length: no name and key can be taken for another's.
  const std::string by = spec.by.value_or("");
  return keys_.idem(by, spec.key.value_or(""));
}

std::expected<IntakeStore::Enqueued, std::string> IntakeStore::enqueue(const jobs::JobSpec& spec) {
  bool has_key = spec.key.has_value();
  auto r = run(scripts::Id::enqueue, {keys_.jobs(), idem_key(spec)},
               {jobs::to_json(spec), has_key ? "1" : "0", std::to_string(kKeyTtlSeconds), jobs::fingerprint(spec)});
  if (!r) return std::unexpected(r.error());
  if (r->elements.size() != 2) return std::unexpected("unexpected reply from the enqueue script");
  const std::string said = r->elements[1].text();
  return Enqueued{.id = r->elements[0].text(), .created = said == "1", .conflict = said == "conflict"};
}

std::expected<void, std::string> IntakeStore::ensure_group() {
  auto r = redis_.command({"XGROUP", "CREATE", keys_.jobs(), "gw", "0", "MKSTREAM"});
  if (!r && r.error().find("BUSYGROUP") == std::string::npos) return std::unexpected(r.error());
  return {};
}

namespace {
std::vector<StreamEntry> entries_of(const Reply& list) {
  std::vector<StreamEntry> out;
  for (const auto& e : list.elements) {
    if (e.elements.empty()) continue;
    StreamEntry entry;
    entry.id = e.elements[0].text();
    if (e.elements.size() > 1) {
      const auto& kv = e.elements[1].elements;
      for (size_t i = 0; i + 1 < kv.size(); i += 2)
        if (kv[i].text() == "job") entry.job = kv[i + 1].text();
    }
    out.push_back(std::move(entry));
  }
  return out;
}
}  // namespace

std::expected<std::vector<StreamEntry>, std::string> IntakeStore::read_jobs(const std::string& consumer, bool pending,
                                                                            int count, int block_ms) {
  std::vector<std::string> argv{"XREADGROUP", "GROUP", "gw", consumer, "COUNT", std::to_string(count)};
  if (!pending) {
    argv.push_back("BLOCK");
    argv.push_back(std::to_string(block_ms));
  }
  argv.insert(argv.end(), {"STREAMS", keys_.jobs(), pending ? "0" : ">"});
  auto r = redis_.command(argv);
  if (!r) return std::unexpected(r.error());
  if (r->nil() || r->elements.empty()) return std::vector<StreamEntry>{};
  return entries_of(r->elements[0].elements.at(1));
}

std::expected<std::vector<StreamEntry>, std::string> IntakeStore::autoclaim(const std::string& consumer,
                                                                            std::int64_t min_idle_ms) {
  auto r = redis_.command({"XAUTOCLAIM", keys_.jobs(), "gw", consumer, std::to_string(min_idle_ms), "0", "COUNT", "50"});
  if (!r) return std::unexpected(r.error());
  if (r->elements.size() < 2) return std::vector<StreamEntry>{};
  return entries_of(r->elements[1]);
}

std::expected<std::optional<std::string>, std::string> IntakeStore::recent(const std::string& fingerprint) {
  auto r = redis_.command({"GET", keys_.recent(fingerprint)});
  if (!r) return std::unexpected(r.error());
  if (r->nil()) return std::nullopt;
  return r->text();
}

std::expected<void, std::string> IntakeStore::remember(const std::string& fingerprint, const std::string& job) {
  auto r = redis_.command({"SET", keys_.recent(fingerprint), job, "EX", "86400"});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<void, std::string> IntakeStore::ack(const std::string& id) {
  auto r = redis_.command({"XACK", keys_.jobs(), "gw", id});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<void, std::string> IntakeStore::admit(const Admission& a) {
  const bool has_key = a.spec && a.spec->key;
  auto r = run(scripts::Id::admit,
               {keys_.job(a.id), keys_.index(), keys_.due(), has_key ? idem_key(*a.spec) : keys_.idem_none(),
                keys_.approvals()},
               {a.id, a.spec_json, std::string(jobs::name(a.state)), a.reason,
                a.due_ms ? std::to_string(*a.due_ms) : "", has_key ? "1" : "0", std::to_string(kKeyTtlSeconds),
                a.spec ? util::join(a.spec->wards, ",") : "", a.spec ? a.spec->template_name : "",
                a.spec && a.spec->urgent ? "1" : "0", a.spec && a.spec->by ? *a.spec->by : "",
                a.recipients ? std::to_string(*a.recipients) : ""});
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace loa::store
