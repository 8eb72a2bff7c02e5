// An outcome of the submission pipeline for programs (the API's JSON, read back by `loa
// --server`) and for people (the lines `loa` prints on either road).
#include "core/submit/submission.h"

#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::submit {

using nlohmann::json;
using Verdict = Outcome::Verdict;
using Refusal = Outcome::Refusal;

// --- the outcome, for programs -------------------------------------------------------------

namespace {

constexpr std::pair<Verdict, const char*> kVerdicts[] = {{Verdict::enqueued, "enqueued"},
                                                         {Verdict::key_repeat, "key_repeat"},
                                                         {Verdict::checked, "checked"},
                                                         {Verdict::refused, "refused"},
                                                         {Verdict::unavailable, "unavailable"}};
constexpr std::pair<Refusal, const char*> kRefusals[] = {
    {Refusal::none, "none"},       {Refusal::invalid, "invalid"},           {Refusal::forbidden, "forbidden"},
    {Refusal::repeat, "repeat"},   {Refusal::key_conflict, "key_conflict"}, {Refusal::empty, "empty"},
    {Refusal::too_long, "too_long"}};

template <typename E, std::size_t N>
const char* name_of(const std::pair<E, const char*> (&table)[N], E v) {
  for (const auto& [e, n] : table)
    if (e == v) return n;
  return "?";
}
template <typename E, std::size_t N>
std::optional<E> value_of(const std::pair<E, const char*> (&table)[N], const std::string& n) {
  for (const auto& [e, name] : table)
    if (n == name) return e;
  return std::nullopt;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::vector<std::string> texts_of(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}
long long whole(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

}  // namespace

unsigned Outcome::http_status() const {
  switch (verdict) {
    case Verdict::enqueued: return 202;
    case Verdict::key_repeat:
    case Verdict::checked: return 200;
    case Verdict::unavailable: return 503;
    case Verdict::refused: break;
  }
  switch (refusal) {
    case Refusal::forbidden: return 403;
    case Refusal::repeat:
    case Refusal::key_conflict: return 409;
    default: return 400;
  }
}

int Outcome::exit_code() const {
  if (verdict == Verdict::refused) return 2;
  if (verdict == Verdict::unavailable || !audit_error.empty()) return 1;
  return 0;
}

json Outcome::to_json() const {
  json j = preview.is_object() ? preview : json::object();
  j["outcome"] = name_of(kVerdicts, verdict);
  if (verdict == Verdict::refused) j["refusal"] = name_of(kRefusals, refusal);
  if (!errors.empty()) {
    j["errors"] = errors;
    j["error"] = util::join(errors, "; ");
  }
  if (!id.empty()) j["id"] = id;
  if (!key.empty()) j["key"] = key;
  if (verdict == Verdict::enqueued || verdict == Verdict::key_repeat) j["state"] = "submitted";
  if (verdict == Verdict::key_repeat) j["repeat"] = true;
  if (!wards.empty()) j["wards"] = wards;
  if (preview.is_object() && preview.contains("totals")) {
    const json& t = preview["totals"];
    j["recipients"] = whole(t, "messages");
    j["segments"] = whole(t, "segments");
    j["cost"] = t.contains("cost") && t["cost"].is_object() ? json(whole(t["cost"], "amount")) : json(nullptr);
  }
  j["approval"] = approval ? json(*approval) : json(nullptr);
  j["at"] = at_ms ? json(*at_ms) : json(nullptr);
  if (!at_local.empty()) j["at_local"] = at_local;
  j["quiet_hours"] = quiet_hours ? json(*quiet_hours) : json(nullptr);
  j["gateway_idle_s"] = gateway_idle_ms ? json(*gateway_idle_ms < 0 ? -1 : *gateway_idle_ms / 1000) : json(nullptr);
  j["warnings"] = warnings;
  if (!audit_error.empty()) j["audit"] = "not recorded: " + audit_error;
  return j;
}

std::optional<Outcome> Outcome::from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto verdict = value_of(kVerdicts, text_of(j, "outcome"));
  if (!verdict) return std::nullopt;
  Outcome o;
  o.verdict = *verdict;
  o.refusal = value_of(kRefusals, text_of(j, "refusal")).value_or(Refusal::none);
  if (o.verdict == Verdict::refused && o.refusal == Refusal::none) o.refusal = Refusal::invalid;
  o.errors = texts_of(j, "errors");
  o.id = text_of(j, "id");
  o.key = text_of(j, "key");
  o.wards = texts_of(j, "wards");
  o.preview = json::object();
  for (const char* key : {"template", "description", "encoding", "max_segments", "totals", "messages", "skipped"})
    if (j.contains(key)) o.preview[key] = j[key];
  if (auto a = text_of(j, "approval"); !a.empty()) o.approval = a;
  if (j.contains("at") && j["at"].is_number_integer()) o.at_ms = j["at"].get<std::int64_t>();
  o.at_local = text_of(j, "at_local");
  if (auto q = text_of(j, "quiet_hours"); !q.empty()) o.quiet_hours = q;
  if (j.contains("gateway_idle_s") && j["gateway_idle_s"].is_number_integer()) {
    const auto s = j["gateway_idle_s"].get<std::int64_t>();
    o.gateway_idle_ms = s < 0 ? -1 : s * 1000;
  }
  o.warnings = texts_of(j, "warnings");
  if (auto a = text_of(j, "audit"); !a.empty()) o.audit_error = a.starts_with("not recorded: ") ? a.substr(14) : a;
  return o;
}

// --- the outcome, for people ---------------------------------------------------------------

namespace {

// "12.345" (dots between thousands, as Vietnamese write money).
std::string grouped(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out = n < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string cost_words(const json& totals) {
  auto cost = totals.find("cost");
  if (cost == totals.end() || !cost->is_object()) return i18n::tr("cost not estimated (no pricing: in the config)");
  return i18n::trf("about {} {}", grouped(whole(*cost, "amount")), text_of(*cost, "currency"));
}

std::string totals_words(const json& preview) {
  const json t = preview.is_object() && preview.contains("totals") && preview["totals"].is_object() ? preview["totals"]
                                                                                                   : json::object();
  std::string out = i18n::trf("{} row(s): {} message(s), {} skipped; {} segment(s) in all, {}; encoding {}",
                              whole(t, "rows"), whole(t, "messages"), whole(t, "skipped"), whole(t, "segments"),
                              cost_words(t),
                              text_of(preview, "encoding") == "ascii" ? i18n::tr("ascii (no diacritics)") : "unicode");
  if (whole(t, "ucs2")) out += i18n::trf(", {} message(s) need UCS-2", whole(t, "ucs2"));
  return out;
}

Lines head_lines(const Outcome& o) {
  Lines l;
  if (o.verdict == Verdict::refused || o.verdict == Verdict::unavailable) {
    l.err = o.errors;
    return l;
  }
  l.out.push_back(totals_words(o.preview));
  if (!o.at_local.empty()) l.out.push_back(i18n::trf("scheduled: it goes at {}", o.at_local));
  if (o.quiet_hours) l.out.push_back(*o.quiet_hours);
  if (o.approval)
    l.out.push_back(i18n::trf("it waits for approval ({}): an approver or admin other than the sender approves it "
                              "(loa approve JOB)",
                              *o.approval));
  return l;
}

Lines tail_lines(const Outcome& o) {
  Lines l;
  if (o.verdict == Verdict::refused || o.verdict == Verdict::unavailable) return l;
  l.err = o.warnings;
  if (o.gateway_idle_ms)
    l.err.push_back(*o.gateway_idle_ms < 0
                        ? std::string(i18n::tr("warning: no gateway has read the job queue yet (is loa-gatewayd "
                                               "running?); the job waits in the queue until one does"))
                        : i18n::trf("warning: no gateway has read the job queue for {} s (is loa-gatewayd running?); "
                                    "the job waits in the queue until one does",
                                    *o.gateway_idle_ms / 1000));
  if (!o.audit_error.empty())
    l.err.push_back(i18n::trf("the job was enqueued but not recorded in the audit trail: {}", o.audit_error));
  if (o.verdict == Verdict::checked) {
    l.out.push_back(i18n::tr("dry run: nothing enqueued"));
    return l;
  }
  if (o.verdict == Verdict::key_repeat)
    l.out.push_back(i18n::trf("key \"{}\" was already used: nothing enqueued; the first job is:", o.key));
  l.out.push_back(o.id);
  return l;
}

}  // namespace loa::submit
