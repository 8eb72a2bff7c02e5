// The vendor case runner.
#include "tests/providers/runner.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/phone/phone.h"
#include "core/util/encoding.h"
#include "providers/registry.h"

namespace loa::test::vendors {

loa::providers::Message sample_message(const std::string& ref, const std::string& text) {
  auto number = loa::phone::forms("0912345678");
  loa::providers::Message m;
  m.ref = ref;
  m.to_local = number.local;
  m.to_digits = number.digits;
  m.to_e164 = number.e164;
  m.text = text;
  m.unicode = true;
  return m;
}

namespace {

std::string header_of(const loa::providers::HttpRequest& req, const std::string& name) {
  for (const auto& [k, v] : req.headers)
    if (k == name) return v;
  return "";
}

void check_request(const VendorCases& v, loa::providers::Provider& p) {
  auto req = p.build_request(sample_message());
  REQUIRE_MESSAGE(req.has_value(), req.error().reason);
  CHECK(req->url == v.request.url);
  CHECK(req->basic_auth == v.request.basic_auth);
  for (const auto& [k, value] : v.request.headers) CHECK_MESSAGE(header_of(*req, k) == value, k);
  const std::string expected = payload(v.type, v.request.body);
  if (v.request.body.ends_with(".form"))
    CHECK(loa::util::parse_form(req->body) == loa::util::parse_form(expected));
  else
    CHECK(nlohmann::json::parse(req->body) == nlohmann::json::parse(expected));
}

void check_send(const VendorCases& v, loa::providers::Provider& p, const SendCase& c) {
  loa::providers::HttpResponse r;
  r.status = c.transport_error.empty() ? c.status : 0;
  r.body = payload(v.type, c.body);
  r.transport_error = c.transport_error;
  r.request_sent = c.request_sent;
  auto got = p.parse_response(sample_message(), r);
  if (c.accepted_id) {
    REQUIRE_MESSAGE(got.has_value(), got.error().reason);
    CHECK(got->provider_id == *c.accepted_id);
  } else {
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().kind == c.error.value_or(ErrorKind::Permanent));
    CHECK_MESSAGE(got.error().reason.find(c.reason) != std::string::npos, got.error().reason);
  }
}

void check_report(const VendorCases& v, loa::providers::Provider& p, const ReportCase& c) {
  loa::providers::IncomingReport in;
  in.method = "POST";
  in.url = c.url.empty() ? "https://sms.example.vn/dlr/" + v.type : c.url;
  in.body = payload(v.type, c.body);
  for (auto& [k, value] : loa::util::parse_form(payload(v.type, c.query))) in.params.emplace(k, value);
  for (const auto& [k, value] : c.headers) in.headers.emplace(k, payload(v.type, value));
  auto got = p.parse_report(in);
  if (c.error) {
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().kind == *c.error);
    return;
  }
  REQUIRE_MESSAGE(got.has_value(), got.error().reason);
  REQUIRE(got->size() == c.reports.size());
  for (std::size_t i = 0; i < c.reports.size(); ++i) {
    const auto& want = c.reports[i];
    const auto& have = (*got)[i];
    CHECK(have.ref == want.ref);
    CHECK(have.provider_id == want.provider_id);
    CHECK(have.state == want.state);
    CHECK_MESSAGE(have.error.find(want.error) != std::string::npos, have.error);
  }
}
}  // namespace

std::unique_ptr<Built> build(const std::string& type, const std::string& yaml, const std::string& base_url,
                             const std::string& token) {
  auto b = std::make_unique<Built>();
  b->cfg.path = "loa.yaml";
  b->cfg.public_url = "https://sms.example.vn";
  b->pc.name = type;
  b->pc.type = type;
  b->pc.base_url = base_url;
  b->pc.dlr_token = token;
  b->pc.node = YAML::Load(yaml);
  loa::providers::Registry registry;
  loa::providers::register_builtin_providers(registry);
  const auto* factory = registry.find(type);
  REQUIRE_MESSAGE(factory, "no provider type ", type);
  auto made = (*factory)({b->cfg, b->pc, loa::providers::callback_url(b->cfg.public_url, b->pc)});
  if (made) b->provider = std::move(*made);
  else b->errors = made.error();
  return b;
}

std::string payload(const std::string& type, const std::string& spec) {
  if (!spec.starts_with("@")) return spec;
  std::ifstream in(std::string(LOA_TEST_DATA) + "/providers/" + type + "/" + spec.substr(1));
  REQUIRE_MESSAGE(in.good(), "no fixture ", spec, " for ", type);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

void run(const VendorCases& v) {
  for (const auto& c : v.configs) {
    SUBCASE(("config: " + c.label).c_str()) {
      auto b = build(v.type, c.yaml, c.base_url, c.token);
      if (c.error.empty()) {
        CHECK_MESSAGE(b->provider != nullptr, (b->errors.empty() ? "" : b->errors.front()));
      } else {
        CHECK(b->provider == nullptr);
        bool named = false;
        for (const auto& e : b->errors) named |= e.find(c.error) != std::string::npos;
        CHECK_MESSAGE(named, "no error naming \"", c.error, "\"");
      }
    }
  }
  auto b = build(v.type, v.yaml, "http://127.0.0.1:9", v.token);
  REQUIRE_MESSAGE(b->provider != nullptr, (b->errors.empty() ? "" : b->errors.front()));
  auto& p = *b->provider;
  SUBCASE("traits") {
    CHECK(p.idempotent() == v.idempotent);
    CHECK(p.reports_by_provider_id() == v.reports_by_provider_id);
  }
  SUBCASE("request") { check_request(v, p); }
  for (const auto& c : v.sends)
    SUBCASE(("answer: " + c.label).c_str()) { check_send(v, p, c); }
  for (const auto& c : v.reports)
    SUBCASE(("report: " + c.label).c_str()) { check_report(v, p, c); }
}

}  // namespace loa::test::vendors
