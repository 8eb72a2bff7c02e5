// The commands' backend through the officials' API (`loa --server`): each Backend call is
// one or more requests of cli/api_client.h; what the API has no endpoint for says so.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::cli {

using nlohmann::json;

namespace {

// The commands' backend over the API. What has no endpoint says so; `loa` refuses those
// commands before it gets here, so these errors are a last guard.
class ApiBackend final : public Backend {
 public:
  explicit ApiBackend(ApiClient& api) : api_(api) {}

  // POST /preview, or /jobs (?dry_run=true for a check): the outcome, also of a refusal.
  std::expected<submit::Outcome, std::string> submit(const submit::Request& r) override {
    const std::string path = r.mode == submit::Mode::preview ? fmt::format("preview?limit={}", std::clamp(r.limit, 0, 100))
                             : r.mode == submit::Mode::check ? "jobs?dry_run=true"
                                                             : "jobs";
    auto a = api_.call("POST", path, submit::request_json(r).dump(-1, ' ', false, json::error_handler_t::replace));
    if (!a) return std::unexpected(a.error());
    auto j = json::parse(a->body, nullptr, false);
    if (auto o = submit::Outcome::from_json(j)) return std::move(*o);
    // Refused before the pipeline (a token, a right, a body that is no request).
    if (a->status >= 400 && a->status < 500) {
      submit::Outcome o;
      o.verdict = submit::Outcome::Verdict::refused;
      o.refusal = a->status == 403 ? submit::Outcome::Refusal::forbidden : submit::Outcome::Refusal::invalid;
      o.errors = a->errors();
      return o;
    }
    if (!a->ok()) return std::unexpected(util::join(a->errors(), "; "));
    return std::unexpected(std::string(i18n::tr("the server's answer is not the JSON object expected")));
  }

  std::expected<std::optional<store::JobStatus>, std::string> status(const std::string& job) override {
    auto a = api_.call("GET", "jobs/" + url_segment(job));
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return std::nullopt;
    auto j = object(*a);
    if (!j) return std::unexpected(j.error());
    auto st = store::job_from_json(*j);
    if (!st) return std::unexpected(st.error());
    return std::optional(std::move(*st));
  }

  std::expected<std::optional<std::int64_t>, std::string> gateway_idle_ms() override { return none(); }
  std::expected<std::optional<store::QueryStore::Pause>, std::string> paused(const std::string&) override { return none(); }

  std::expected<std::vector<store::JobStatus>, std::string> jobs(int limit, const std::string& ward) override {
    std::string path = fmt::format("jobs?limit={}", std::clamp(limit, 1, 1000));
    if (!ward.empty()) path += "&ward=" + url_segment(ward);
    auto a = api_.call("GET", path);
    if (!a) return std::unexpected(a.error());
    auto j = object(*a, true);
    if (!j) return std::unexpected(j.error());
    std::vector<store::JobStatus> out;
    for (const auto& one : *j) {
      auto st = store::job_from_json(one);
      if (!st) return std::unexpected(st.error());
      out.push_back(std::move(*st));
    }
    return out;
  }

  std::expected<void, std::string> messages(const std::string&, std::int64_t,
                                            const std::function<void(const store::MessageRecord&)>&) override {
    return none();
  }

  // GET /jobs/<id>/messages a page at a time, following "next".
  std::expected<void, std::string> message_objects(const std::string& job, std::int64_t, bool,
                                                   const std::function<void(const json&)>& fn) override {
    std::int64_t after = 0;
    for (;;) {
      auto a = api_.call("GET", fmt::format("jobs/{}/messages?after={}&limit=1000", url_segment(job), after));
      if (!a) return std::unexpected(a.error());
      auto j = object(*a);
      if (!j) return std::unexpected(j.error());
      auto page = j->find("messages");
      if (page == j->end() || !page->is_array())
        return std::unexpected(std::string(i18n::tr("the server's answer is not the JSON object expected")));
      for (const auto& m : *page) fn(m);
      auto next = j->find("next");
      if (next == j->end() || !next->is_number_integer() || next->get<std::int64_t>() <= after) return {};
      after = next->get<std::int64_t>();
    }
  }

  std::expected<std::optional<jobs::JobState>, std::string> cancel(const std::string& job) override {
    auto a = api_.call("POST", "jobs/" + url_segment(job) + "/cancel", "{}");
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return std::nullopt;
    auto j = object(*a);
    if (!j) return std::unexpected(j.error());
    auto was = j->find("was");
    const std::string before = was != j->end() && was->is_string() ? was->get<std::string>() : "";
    return std::optional(jobs::job_state(before).value_or(jobs::JobState::queued));
  }

  std::expected<long long, std::string> requeue(const std::string& job, jobs::MessageState state) override {
    auto a = api_.call("POST", fmt::format("jobs/{}/retry?which={}", url_segment(job), jobs::name(state)), "{}");
    if (!a) return std::unexpected(a.error());
    auto j = object(*a);
    if (!j) return std::unexpected(j.error());
    auto n = j->find("requeued");
    if (n == j->end() || !n->is_number_integer()) return std::unexpected(i18n::tr("the server's answer has no count"));
    return n->get<long long>();
  }

  std::expected<void, std::string> optout_add(const std::string& digits, const std::string& reason) override {
    auto a = api_.call("POST", "optouts", json{{"number", "+" + digits}, {"reason", reason}}.dump());
    if (!a) return std::unexpected(a.error());
    if (auto j = object(*a); !j) return std::unexpected(j.error());
    return {};
  }

  std::expected<bool, std::string> optout_remove(const std::string& digits) override {
    auto a = api_.call("DELETE", "optouts/" + url_segment("+" + digits));
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return false;
    if (auto j = object(*a); !j) return std::unexpected(j.error());
    return true;
  }

  std::expected<std::map<std::string, std::string>, std::string> optouts() override { return none(); }

  std::expected<store::ControlStore::Decided, std::string> decide(const std::string& job, bool approve,
                                                                const std::string&,
                                                                const std::string& reason) override {
    auto a = api_.call("POST", "jobs/" + url_segment(job) + (approve ? "/approve" : "/reject"),
                       json{{"reason", reason}}.dump());
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return store::ControlStore::Decided{.result = store::ControlStore::Decision::no_job};
    if (auto j = object(*a); !j) return std::unexpected(j.error());
    return store::ControlStore::Decided{};
  }

  std::expected<store::ControlStore::Purged, std::string> purge(std::int64_t, bool) override { return none(); }
  std::expected<long long, std::string> audit_trim(std::int64_t, const std::string&, const std::string&) override {
    return none();
  }
  std::expected<store::AccountStore::Added, std::string> account_add(const store::Account&,
                                                                     const std::string&) override {
    return none();
  }
  std::expected<std::vector<store::Account>, std::string> accounts() override { return none(); }
  std::expected<bool, std::string> account_revoke(const std::string&) override { return none(); }
  std::expected<store::AuditEntry, std::string> audit_append(const store::AuditEntry&) override { return none(); }
  std::expected<void, std::string> audit_read(const store::AuditStore::Filter&,
                                              const std::function<void(const store::AuditEntry&)>&) override {
    return none();
  }
  std::expected<store::AuditStore::Verdict, std::string> audit_verify(std::int64_t) override { return none(); }

 private:
  static std::unexpected<std::string> none() {
    return std::unexpected(std::string(i18n::tr("the officials' API has no endpoint for this")));
  }

  // A 2xx answer's JSON (an object, or an array when `list`); otherwise what the server said.
  static std::expected<json, std::string> object(const ApiAnswer& a, bool list = false) {
    if (!a.ok()) return std::unexpected(util::join(a.errors(), "; "));
    auto j = json::parse(a.body, nullptr, false);
    if (list ? !j.is_array() : !j.is_object())
      return std::unexpected(std::string(list ? i18n::tr("the server's answer is not the JSON list expected")
                                              : i18n::tr("the server's answer is not the JSON object expected")));
    return j;
  }

  ApiClient& api_;
};

}  // namespace

std::unique_ptr<Backend> api_backend(ApiClient& api) { return std::make_unique<ApiBackend>(api); }

}  // namespace loa::cli
