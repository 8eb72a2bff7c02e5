// Infobip: JSON send to /sms/3/messages (infobip.com/docs, SMS API "Send SMS message"; the
// v2 /sms/2/text/advanced is deprecated), messageId = Loa's ref; batched JSON delivery
// reports of up to 100 results (the default bucket; "Receive outbound SMS message report").
#include "providers/vendors/vendor.h"

namespace loa::providers {

namespace {
using namespace vendor;

// Status groupId of a send answer that refuses the message (2 UNDELIVERABLE, 5
// REJECTED); others (1 PENDING, ...) took it.
constexpr Row<int, Answer> kAnswers[] = {{2, Answer::refused}, {5, Answer::refused}};
// Status groupId of a report (infobip.com/docs, "Response status and error codes": groups
// 1 PENDING, 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED, 5 REJECTED); group 1 is not final.
// Group 3 is final only as DELIVERED_TO_HANDSET: DELIVERED_TO_OPERATOR is the operator's
// acceptance, and a further report follows (kFinalDelivery).
constexpr Row<int, Outcome> kReports[] = {
    {3, kDelivered},  // DELIVERED: only with kFinalDelivery
    {2, kFailed},     // UNDELIVERABLE
    {4, kFailed},     // EXPIRED
    {5, kFailed},     // REJECTED
};
constexpr std::string_view kFinalDelivery = "DELIVERED_TO_HANDSET";
// Reports come in buckets of 100 by default; an account may raise that (maxBucketSize,
// Subscriptions API). Up to 1,000 are taken in one request — past ~150 with
// `webhook.max_body_kib` raised to fit (an Infobip result is ~450 bytes).
constexpr std::size_t kMaxResults = 1000;

struct InfobipSettings {
  std::string name, url, api_key, sender, callback_url;
  /// Infobip drops a repeat of a messageId only where it has enabled that for the account
  /// (infobip.com/docs, "Idempotent message sending": on request, with a grace period):
  /// the operator says so with `idempotent: true`.
  bool idempotent = false;
};

std::string status_text(const json& status) {
  return "Infobip " + string_at(status, "name") + ": " + string_at(status, "description");
}
int group_of(const json& status) {
  auto it = status.find("groupId");
  return it != status.end() && it->is_number_integer() ? it->get<int>() : 0;
}

class InfobipProvider final : public Provider {
 public:
  explicit InfobipProvider(InfobipSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }
  bool idempotent() const override { return s_.idempotent; }  // messageId is ours; de-duplicated only if enabled
  bool reports_by_provider_id() const override { return false; }  // reports carry our ref

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    json msg{{"sender", s_.sender},
             {"destinations", {{{"to", m.to_digits}, {"messageId", reference_for(m)}}}},
             {"content", {{"text", m.text}}},
             {"webhooks", {{"delivery", {{"url", s_.callback_url}}}, {"contentType", "application/json"}, {"callbackData", m.ref}}}};
    HttpRequest req;
    req.url = s_.url;
    req.body = json{{"messages", {msg}}}.dump();
    req.headers = {{"Authorization", "App " + s_.api_key}, {"Content-Type", "application/json"}, {"Accept", "application/json"}};
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message& m, const HttpResponse& r) override {
    if (auto e = gate(r)) return std::unexpected(*e);
    auto j = answer_json("Infobip", r);
    if (!j) return std::unexpected(j.error());
    const json* first = nullptr;
    if (j->is_object() && j->contains("messages") && (*j)["messages"].is_array() && !(*j)["messages"].empty())
      first = &(*j)["messages"][0];
    if (!first || !first->is_object() || !first->contains("status") || !(*first)["status"].is_object())
      return std::unexpected(error(ErrorKind::Ambiguous, "Infobip answer not understood: " + r.body.substr(0, 100)));
    const json& status = (*first)["status"];
    if (lookup(kAnswers, group_of(status)) == Answer::refused) {
      std::string named = string_at(status, "name");
      return std::unexpected(error(ErrorKind::Permanent, "Infobip " + (named.empty() ? "REJECTED" : named) + ": " +
                                                             string_at(status, "description")));
    }
    std::string id = string_at(*first, "messageId");
    return Accepted{id.empty() ? m.ref : id, false};
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    auto j = report_json("Infobip", in.body);
    if (!j) return std::unexpected(j.error());
    if (!j->is_object() || !j->contains("results") || !(*j)["results"].is_array())
      return malformed("Infobip report needs a results list");
    if ((*j)["results"].size() > kMaxResults) return malformed("over 1000 results in one report");
    std::vector<Report> out;
    for (const auto& res : (*j)["results"]) {
      if (!res.is_object() || !res.contains("status") || !res["status"].is_object())
        return malformed("a result without status");
      Report rep{string_at(res, "callbackData"), string_at(res, "messageId"), std::nullopt, ""};
      if (rep.ref.empty()) rep.ref = std::string(report_ref(rep.provider_id));  // our messageId is our ref
      if (rep.ref.empty()) return malformed("a result without messageId");
      rep.state = lookup(kReports, group_of(res["status"])).value_or(kIntermediate);
      if (rep.state == kDelivered && string_at(res["status"], "name") != kFinalDelivery) rep.state = kIntermediate;
      if (rep.state == kFailed) rep.error = status_text(res["status"]);
      out.push_back(std::move(rep));
    }
    return out;
  }

 private:
  InfobipSettings s_;
};

}  // namespace

vendor::FactoryResult make_infobip(const FactoryContext& ctx) {
  vendor::Section sec(ctx, "infobip", {"api_key", "sender", "idempotent"});
  InfobipSettings s{.name = sec.name(), .callback_url = sec.callback_url()};
  // The sender is the name residents see: Infobip's documents put it in every message, and
  // an empty one is refused or replaced by a shared test sender, so it is required.
  sec.strings({{"api_key", &s.api_key}, {"sender", &s.sender}}, true);
  if (auto v = sec.boolean("idempotent")) s.idempotent = *v;
  s.url = sec.base_url("", "your account's https://xxxxx.api.infobip.com") + "/sms/3/messages";
  sec.need_dlr_token("Infobip");
  return sec.finish<InfobipProvider>(std::move(s));
}

}  // namespace loa::providers
