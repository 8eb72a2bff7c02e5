// The vendor adapters: factories refuse bad sections; requests, answers and delivery
// reports are checked against payloads in tests/data, malformed ones and bad signatures.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "providers/adapters.h"
#include "providers/encoding.h"

using namespace loa::providers;
using nlohmann::json;

namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(LOA_TEST_DATA) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

struct Made {
  loa::config::Config cfg;
  loa::config::ProviderConfig pc;
  FactoryResult provider;
};

Made make(FactoryResult (*factory)(const FactoryContext&), const std::string& type, const std::string& yaml,
          const std::string& base_url = "http://127.0.0.1:9", const std::string& token = "tok") {
  Made m;
  m.cfg.path = "loa.yaml";
  m.cfg.public_url = "https://sms.example.vn";
  m.pc.name = type;
  m.pc.type = type;
  m.pc.base_url = base_url;
  m.pc.dlr_token = token;
  m.pc.node = YAML::Load(yaml);
  m.provider = factory({m.cfg, m.pc, "https://sms.example.vn/dlr/" + type + (token.empty() ? "" : "?token=" + token)});
  return m;
}

Message message() {
  Message m;
  m.ref = "1795893452014-0.3";
  m.to_local = "0912345678";
  m.to_digits = "84912345678";
  m.to_e164 = "+84912345678";
  m.text = "Chào bạn";
  m.unicode = true;
  return m;
}

HttpResponse answer(long status, const std::string& body) { return HttpResponse{status, body, std::nullopt, "", true, false}; }

}  // namespace

TEST_SUITE("providers/adapters") {
  TEST_CASE("esms: request, answers (100, 124 duplicate, 99 blocked), GET callback") {
    auto m = make(make_esms, "esms", "{name: esms, type: esms, api_key: K, secret_key: S, brandname: UBND-P6}");
    REQUIRE(m.provider.has_value());
    auto& p = **m.provider;
    CHECK(p.idempotent());
    auto req = p.build_request(message());
    REQUIRE(req.has_value());
    CHECK(req->url == "http://127.0.0.1:9/MainService.svc/json/SendMultipleMessage_V4_post_json/");
    auto body = json::parse(req->body);
    CHECK(body["ApiKey"] == "K");
    CHECK(body["Phone"] == "0912345678");
    CHECK(body["IsUnicode"] == "1");
    CHECK(body["SmsType"] == "2");
    CHECK(body["RequestId"] == "1795893452014-0.3");
    CHECK(body["CallbackUrl"] == "https://sms.example.vn/dlr/esms?token=tok");

    CHECK(p.parse_response(message(), answer(200, data("esms_send_ok.json")))->provider_id == "bdc9a3e0-5e4f-4d39-9b5c-5a6c8b1e7d01");
    CHECK(p.parse_response(message(), answer(200, data("esms_send_duplicate.json"))).has_value());
    auto blocked = p.parse_response(message(), answer(200, data("esms_send_blocked.json")));
    CHECK(blocked.error().kind == ErrorKind::Permanent);
    CHECK(blocked.error().reason == "eSMS 99: Phone number is blocked");
    CHECK(p.parse_response(message(), answer(200, R"({"CodeResult":"101"})")).error().kind == ErrorKind::Auth);
    CHECK(p.parse_response(message(), answer(200, "<html>")).error().kind == ErrorKind::Ambiguous);

    IncomingReport in;
    for (const auto& [k, v] : parse_form(data("esms_callback.query"))) in.params.emplace(k, v);
    auto rep = p.parse_report(in);
    REQUIRE(rep.has_value());
    CHECK(rep->at(0).ref == "1795893452014-0.3");
    CHECK(rep->at(0).state == loa::jobs::MessageState::delivered);
    IncomingReport bad;
    bad.params.emplace("SMSID", "x");
    CHECK(p.parse_report(bad).error().kind == ReportError::Malformed);

    CHECK_FALSE(make(make_esms, "esms", "{name: esms, type: esms, api_key: K, secret_key: S}").provider.has_value());
    CHECK_FALSE(make(make_esms, "esms", "{name: esms, type: esms, api_key: K, secret_key: S, brandname: B}", "", "").provider.has_value());
  }

  TEST_CASE("speedsms: Basic auth, tranId, JSON reports") {
    auto m = make(make_speedsms, "speedsms", "{name: speedsms, type: speedsms, access_token: T0K, sender: UBND, sms_type: 3}");
    REQUIRE(m.provider.has_value());
    auto& p = **m.provider;
    auto req = p.build_request(message());
    CHECK(req->url == "http://127.0.0.1:9/index.php/sms/send");
    CHECK(req->basic_auth == "T0K:x");
    auto body = json::parse(req->body);
    CHECK(body["to"] == json::array({"0912345678"}));
    CHECK(body["sms_type"] == 3);
    CHECK(p.parse_response(message(), answer(200, data("speedsms_send_ok.json")))->provider_id == "88123456");
    auto err = p.parse_response(message(), answer(200, data("speedsms_send_error.json")));
    CHECK(err.error().kind == ErrorKind::Permanent);
    CHECK(err.error().reason.find("invalid phone number") != std::string::npos);
    IncomingReport in;
    in.body = data("speedsms_report.json");
    auto rep = p.parse_report(in);
    REQUIRE(rep.has_value());
    CHECK(rep->at(0).provider_id == "88123456");
    CHECK(rep->at(0).state == loa::jobs::MessageState::delivered);
    in.body = R"({"type":"report","tranId":1,"status":70})";
    CHECK(p.parse_report(in)->at(0).state == loa::jobs::MessageState::failed);
    in.body = R"({"type":"report","tranId":1,"status":12})";
    CHECK(p.parse_report(in)->at(0).state == std::nullopt);  // temporary failure: not final
    in.body = R"({"type":"report","status":"0"})";
    CHECK(p.parse_report(in).error().kind == ReportError::Malformed);
  }

  TEST_CASE("twilio: form send, sid, signature checked against the public URL") {
    auto m = make(make_twilio, "twilio",
                  "{name: twilio, type: twilio, account_sid: AC0123456789abcdef0123456789abcdef, auth_token: test-auth-token, from: '+15005550006'}",
                  "http://127.0.0.1:9", "");
    REQUIRE(m.provider.has_value());
    auto& p = **m.provider;
    auto req = p.build_request(message());
    CHECK(req->url == "http://127.0.0.1:9/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
    CHECK(req->basic_auth == "AC0123456789abcdef0123456789abcdef:test-auth-token");
    auto form = parse_form(req->body);
    CHECK(form.at(0) == std::pair<std::string, std::string>{"To", "+84912345678"});
    CHECK(form.at(1) == std::pair<std::string, std::string>{"Body", "Chào bạn"});
    CHECK(form.at(2).second == "https://sms.example.vn/dlr/twilio");
    CHECK(p.parse_response(message(), answer(201, data("twilio_send_ok.json")))->provider_id == "SM0123456789abcdef0123456789abcdef");
    auto invalid = p.parse_response(message(), answer(400, data("twilio_send_invalid.json")));
    CHECK(invalid.error().kind == ErrorKind::Permanent);
    CHECK(invalid.error().reason.find("Twilio 21211") == 0);
    CHECK(p.parse_response(message(), answer(429, "{}")).error().kind == ErrorKind::RateLimited);

    IncomingReport in;
    in.url = "https://sms.example.vn/dlr/twilio";
    in.body = data("twilio_status_callback.form");
    in.headers.emplace("X-Twilio-Signature", data("twilio_status_callback.signature"));
    auto rep = p.parse_report(in);
    REQUIRE(rep.has_value());
    CHECK(rep->at(0).provider_id == "SM0123456789abcdef0123456789abcdef");
    CHECK(rep->at(0).state == loa::jobs::MessageState::delivered);

    IncomingReport forged = in;
    forged.body.replace(forged.body.find("MessageStatus=delivered"), 23, "MessageStatus=failed");
    CHECK(p.parse_report(forged).error().kind == ReportError::Unauthorized);
    IncomingReport moved = in;
    moved.url = "http://10.0.0.5:8089/dlr/twilio";  // a proxy's view of the URL: must not validate
    CHECK(p.parse_report(moved).error().kind == ReportError::Unauthorized);

    CHECK_FALSE(make(make_twilio, "twilio", "{name: twilio, type: twilio, account_sid: A, auth_token: B}").provider.has_value());
  }

  TEST_CASE("infobip: messageId is the ref, batched reports of up to 100") {
    auto m = make(make_infobip, "infobip", "{name: infobip, type: infobip, api_key: KEY, sender: UBND}");
    REQUIRE(m.provider.has_value());
    auto& p = **m.provider;
    CHECK(p.idempotent());
    auto req = p.build_request(message());
    CHECK(req->url == "http://127.0.0.1:9/sms/2/text/advanced");
    CHECK(req->headers.at(0).second == "App KEY");
    auto msg = json::parse(req->body)["messages"][0];
    CHECK(msg["destinations"][0]["messageId"] == "1795893452014-0.3");
    CHECK(msg["destinations"][0]["to"] == "84912345678");
    CHECK(msg["callbackData"] == "1795893452014-0.3");
    CHECK(p.parse_response(message(), answer(200, data("infobip_send_ok.json")))->provider_id == "1795893452014-0.3");
    CHECK(p.parse_response(message(), answer(200, data("infobip_send_rejected.json"))).error().kind == ErrorKind::Permanent);

    IncomingReport in;
    in.body = data("infobip_dlr.json");
    auto rep = p.parse_report(in);
    REQUIRE(rep.has_value());
    REQUIRE(rep->size() == 3);
    CHECK(rep->at(0).state == loa::jobs::MessageState::delivered);
    CHECK(rep->at(1).state == loa::jobs::MessageState::failed);
    CHECK(rep->at(1).error.find("UNDELIVERABLE_NOT_DELIVERED") != std::string::npos);
    CHECK(rep->at(2).state == std::nullopt);
    CHECK(rep->at(2).ref == "1795893452014-0.5");

    json many{{"results", json::array()}};
    for (int i = 0; i < 101; ++i) many["results"].push_back({{"messageId", "1-0." + std::to_string(i)}, {"status", {{"groupId", 3}}}});
    in.body = many.dump();
    CHECK(p.parse_report(in).error().kind == ReportError::Malformed);
    in.body = R"({"results":[{"messageId":"1-0.1"}]})";
    CHECK(p.parse_report(in).error().kind == ReportError::Malformed);
    in.body = "[]";
    CHECK(p.parse_report(in).error().kind == ReportError::Malformed);

    CHECK_FALSE(make(make_infobip, "infobip", "{name: infobip, type: infobip, api_key: K}", "").provider.has_value());
  }
}
