// The generic http provider: factory validation, request building, response and report parsing.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/util/encoding.h"
#include "providers/generic_http.h"
#include "providers/registry.h"
#include "tests/providers/runner.h"

namespace {
struct Made {
  loa::config::Config cfg;
  loa::config::ProviderConfig pc;
};

std::expected<std::unique_ptr<loa::providers::Provider>, std::vector<std::string>> make(const std::string& yaml, Made& m) {
  m.cfg.path = "loa.yaml";
  m.pc.name = "local";
  m.pc.type = "http";
  m.pc.node = YAML::Load(yaml);
  if (m.pc.dlr_token.empty() && !m.pc.node["dlr"]) m.pc.dlr_token = "t0k3n";
  return loa::providers::make_generic_http({m.cfg, m.pc, "http://gw.example/dlr/local"});
}

loa::providers::Message message() { return loa::test::vendors::sample_message("1700000000000-0.7", "Chào bà con & cô chú"); }
}  // namespace

TEST_SUITE("providers/http") {
  TEST_CASE("default fields in a JSON body") {
    Made m;
    auto p = make("{name: local, type: http, url: 'http://127.0.0.1:9000/send', message_id: id}", m);
    REQUIRE(p.has_value());
    auto req = (*p)->build_request(message());
    REQUIRE(req.has_value());
    CHECK(req->method == "POST");
    CHECK(req->url == "http://127.0.0.1:9000/send");
    auto body = nlohmann::json::parse(req->body);
    CHECK(body["to"] == "84912345678");
    CHECK(body["text"] == "Chào bà con & cô chú");
    CHECK(body["ref"] == "1700000000000-0.7");
    CHECK(body["callback"] == "http://gw.example/dlr/local");
    CHECK(body["unicode"] == "1");
  }

  TEST_CASE("GET with custom fields goes in the query, URL-encoded") {
    Made m;
    auto p = make(R"({name: local, type: http, url: 'http://h/api?key=1', method: GET,
                      fields: {dest: "{{to_local}}", msg: "{{text}}"}, headers: {X-Api-Key: abc}})", m);
    REQUIRE(p.has_value());
    auto req = (*p)->build_request(message());
    CHECK(req->url == "http://h/api?key=1&dest=0912345678&msg=Ch%C3%A0o%20b%C3%A0%20con%20%26%20c%C3%B4%20ch%C3%BA");
    CHECK(req->headers.at(0) == std::pair<std::string, std::string>{"X-Api-Key", "abc"});
  }

  TEST_CASE("form body") {
    Made m;
    auto p = make("{name: local, type: http, url: 'http://h/send', content_type: form, fields: {to: '{{to_e164}}'}}", m);
    CHECK((*p)->build_request(message())->body == "to=%2B84912345678");
  }

  TEST_CASE("bad sections are refused with file:line") {
    Made m;
    for (const char* yaml : {"{name: local, type: http}", "{name: local, type: http, url: 'http://h', method: PUT}",
                             "{name: local, type: http, url: 'http://h', fields: {to: '{{phone}}'}}",
                             "{name: local, type: http, url: 'http://h', colour: red}",
                             "{name: local, type: http, url: 'http://h', dlr: {secret_header: X}}",
                             // a mapped field without its template (found by the config fuzzer)
                             "{name: local, type: http, url: 'http://h', fields: {coding: {map: {'1': '2'}}}}"}) {
      CAPTURE(yaml);
      auto p = make(yaml, m);
      REQUIRE_FALSE(p.has_value());
      CHECK(p.error().at(0).rfind("loa.yaml:", 0) == 0);
    }
  }

  TEST_CASE("delivery reports must prove their origin: a token, a secret header, or a knowing dlr.insecure") {
    Made m;
    m.pc.dlr_token = "";
    auto open = make("{name: local, type: http, url: 'http://h', dlr: {id: id}}", m);
    REQUIRE_FALSE(open.has_value());
    CHECK(open.error().at(0).find("would take delivery reports from anyone") != std::string::npos);
    Made secret;
    auto with_secret = make("{name: local, type: http, url: 'http://h', dlr: {secret_header: X-S, secret: s}}", secret);
    REQUIRE(with_secret.has_value());
    CHECK_FALSE((*with_secret)->reports_unauthenticated());
    Made token;
    token.pc.dlr_token = "t";
    auto with_token = make("{name: local, type: http, url: 'http://h'}", token);
    REQUIRE(with_token.has_value());
    CHECK_FALSE((*with_token)->reports_unauthenticated());
    Made insecure;
    auto knowingly = make("{name: local, type: http, url: 'http://h', dlr: {insecure: true}}", insecure);
    REQUIRE(knowingly.has_value());
    CHECK((*knowingly)->reports_unauthenticated());
  }

  TEST_CASE("responses: accepted, 5xx transient, 429 with Retry-After, 4xx permanent, timeouts ambiguous") {
    Made m;
    auto p = make("{name: local, type: http, url: 'http://h/send', message_id: id}", m);
    using loa::providers::ErrorKind;
    auto ok = (*p)->parse_response(message(), {200, R"({"id":"abc-1"})", {}, "", true, false});
    REQUIRE(ok.has_value());
    CHECK(ok->provider_id == "abc-1");
    CHECK((*p)->parse_response(message(), {503, "busy", {}, "", true, false}).error().kind == ErrorKind::Transient);
    auto limited = (*p)->parse_response(message(), {429, "", 2000, "", true, false});
    CHECK(limited.error().kind == ErrorKind::RateLimited);
    CHECK(*limited.error().retry_after_ms == 2000);
    CHECK((*p)->parse_response(message(), {400, "bad number", {}, "", true, false}).error().kind == ErrorKind::Permanent);
    CHECK((*p)->parse_response(message(), {0, "", {}, "Connection refused", false, false}).error().kind == ErrorKind::Transient);
    CHECK((*p)->parse_response(message(), {0, "", {}, "Timeout", true, true}).error().kind == ErrorKind::Ambiguous);
  }

  TEST_CASE("the provider's id is read from the top level of the answer, whatever its type") {
    Made m;
    auto p = make("{name: local, type: http, url: 'http://h/send', message_id: id}", m);
    auto id = [&](const std::string& body) { return (*p)->parse_response(message(), {200, body, {}, "", true, false})->provider_id; };
    CHECK(id(R"({"status":"ok","id":"a\"b"})") == "a\"b");
    CHECK(id(R"({"id":12345,"x":1})") == "12345");
    CHECK(id(R"({"data":{"id":"inner"},"id":"outer"})") == "outer");
    CHECK(id(R"({"id":{"n":1}})") == R"({"n":1})");
    // No id where it should be, or no JSON at all: accepted, under Loa's own ref.
    CHECK(id(R"({"data":{"id":"inner"}})") == message().ref);
    CHECK(id(R"([{"id":"x"}])") == message().ref);
    CHECK(id("OK") == message().ref);
    CHECK(id(R"({"id":"unterminated)") == message().ref);
  }

  TEST_CASE("delivery reports: ref or provider id, mapped statuses, secret checked") {
    Made m;
    auto p = make(R"({name: local, type: http, url: 'http://h/send',
                      dlr: {id: ref, status: status, secret_header: X-Loa-Secret, secret: s3cret,
                            statuses: {delivered: [DELIVRD], failed: [UNDELIV]}}})", m);
    REQUIRE(p.has_value());
    loa::providers::IncomingReport in;
    in.headers.emplace("x-loa-secret", "s3cret");
    in.body = R"({"ref":"1700000000000-0.7","status":"DELIVRD"})";
    auto r = (*p)->parse_report(in);
    REQUIRE(r.has_value());
    CHECK(r->at(0).ref == "1700000000000-0.7");
    CHECK(r->at(0).state == loa::jobs::MessageState::delivered);

    in.body = R"({"ref":"SM123","status":"UNDELIV"})";
    r = (*p)->parse_report(in);
    CHECK(r->at(0).provider_id == "SM123");
    CHECK(r->at(0).state == loa::jobs::MessageState::failed);

    in.body = R"({"ref":"1700000000000-0.7","status":"ENROUTE"})";
    CHECK((*p)->parse_report(in)->at(0).state == std::nullopt);

    in.body = "{broken";
    CHECK((*p)->parse_report(in).error().kind == loa::providers::ReportError::Malformed);
    in.body = R"({"status":"DELIVRD"})";
    CHECK((*p)->parse_report(in).error().kind == loa::providers::ReportError::Malformed);

    loa::providers::IncomingReport forged;
    forged.headers.emplace("X-Loa-Secret", "guess");
    forged.body = R"({"ref":"1700000000000-0.7","status":"DELIVRD"})";
    CHECK((*p)->parse_report(forged).error().kind == loa::providers::ReportError::Unauthorized);

    // A batch: a JSON list of reports, in order, each a report of its own.
    in.body = R"([{"ref":"1700000000000-0.7","status":"DELIVRD"},{"ref":"SM9","status":"UNDELIV"}])";
    r = (*p)->parse_report(in);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 2);
    CHECK(r->at(0).ref == "1700000000000-0.7");
    CHECK(r->at(0).state == loa::jobs::MessageState::delivered);
    CHECK(r->at(1).provider_id == "SM9");
    CHECK(r->at(1).state == loa::jobs::MessageState::failed);
    // ... refused whole when any item is bad, empty, or over 100 reports.
    for (std::string bad : {std::string(R"([{"ref":"1-0.1","status":"DELIVRD"},{"status":"DELIVRD"}])"),
                            std::string(R"([{"ref":"1-0.1","status":"DELIVRD"},"text"])"), std::string("[]"),
                            std::string("\"text\""), std::string("[") + [] {
                              std::string items;
                              for (int i = 0; i < 101; ++i) items += std::string(i ? "," : "") + R"({"ref":"1-0.1","status":"DELIVRD"})";
                              return items;
                            }() + "]"}) {
      CAPTURE(bad.substr(0, 80));
      in.body = bad;
      CHECK((*p)->parse_report(in).error().kind == loa::providers::ReportError::Malformed);
    }
    // Read as it streams past: other fields, however nested, pass; a number is its text; a
    // wanted field holding an object is read the slow way, as its JSON text; a repeated
    // field's last value counts, as in a document; what follows the body refuses it.
    in.body = R"([{"ref":"1-0.1","extra":{"a":[1,{"b":2}]},"status":"DELIVRD"},{"ref":17,"status":"UNDELIV"}])";
    r = (*p)->parse_report(in);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 2);
    CHECK(r->at(0).ref == "1-0.1");
    CHECK(r->at(0).state == loa::jobs::MessageState::delivered);
    CHECK(r->at(1).provider_id == "17");
    in.body = R"({"ref":{"id":"SM1"},"status":"DELIVRD"})";
    r = (*p)->parse_report(in);
    REQUIRE(r.has_value());
    CHECK(r->at(0).provider_id == R"({"id":"SM1"})");
    in.body = R"({"ref":"SM1","status":"UNDELIV","status":"DELIVRD"})";
    CHECK((*p)->parse_report(in)->at(0).state == loa::jobs::MessageState::delivered);
    for (std::string bad : {std::string(R"({"ref":"1-0.1","status":"DELIVRD"} x)"), std::string(R"([[{"ref":"1-0.1"}]])"),
                            std::string(R"([{"ref":{"a":1},"status":"DELIVRD"},"text"])"), std::string("17")}) {
      CAPTURE(bad);
      in.body = bad;
      CHECK((*p)->parse_report(in).error().kind == loa::providers::ReportError::Malformed);
    }
  }

  TEST_CASE("a gateway without code: values mapped per field, the callback's query extended, the report's error text") {
    // Kannel's sendsms: coding 2 for UCS-2, 0 for GSM-7; the dlr-url carries Kannel's escapes.
    const std::string kannel = R"({name: local, type: http, url: 'http://k/cgi-bin/sendsms', method: GET,
        fields: {to: "{{to}}", text: "{{text}}", coding: {template: "{{unicode}}", map: {"1": "2", "0": "0"}},
                 dlr-url: "{{callback_url}}"},
        dlr: {id: ref, status: status, error: err, callback_query: "ref={{ref}}&status=%d&err=%A",
              secret_header: X-Loa-Secret, secret: s3cret,
              statuses: {delivered: ["1"], failed: ["2", "16"]}}})";
    Made m;
    auto p = make(kannel, m);
    REQUIRE_MESSAGE(p.has_value(), (p ? "" : p.error().front()));
    auto unicode = (*p)->build_request(message());
    auto gsm_message = message();
    gsm_message.unicode = false;
    auto gsm = (*p)->build_request(gsm_message);
    auto query = [](const std::string& url) {
      std::map<std::string, std::string> out;
      for (const auto& [k, v] : loa::util::parse_form(url.substr(url.find('?') + 1))) out[k] = v;
      return out;
    };
    CHECK(query(unicode->url)["coding"] == "2");
    CHECK(query(gsm->url)["coding"] == "0");
    // The token's query is extended with "&"; without a token the query starts with "?".
    CHECK(query(unicode->url)["dlr-url"] == "http://gw.example/dlr/local?ref=1700000000000-0.7&status=%d&err=%A");
    Made with_token;
    with_token.pc.dlr_token = "t0k3n";
    auto q = loa::providers::make_generic_http(
        {with_token.cfg, [&] {
           auto pc = with_token.pc;
           pc.name = "local";
           pc.type = "http";
           pc.node = YAML::Load(kannel);
           return pc;
         }(),
         "http://gw.example/dlr/local?token=t0k3n"});
    REQUIRE(q.has_value());
    CHECK(query((*q)->build_request(message())->url)["dlr-url"] ==
          "http://gw.example/dlr/local?token=t0k3n&ref=1700000000000-0.7&status=%d&err=%A");
    // Kannel calls it back with its escapes filled: the error text goes with a failure.
    loa::providers::IncomingReport in;
    in.headers.emplace("X-Loa-Secret", "s3cret");
    in.params = {{"ref", "1700000000000-0.7"}, {"status", "16"}, {"err", "NACK/0x0000000b/Invalid Destination Address"}};
    auto failed = (*p)->parse_report(in);
    REQUIRE(failed.has_value());
    CHECK(failed->at(0).state == loa::jobs::MessageState::failed);
    CHECK(failed->at(0).error == "provider reported 16: NACK/0x0000000b/Invalid Destination Address");
    in.params = {{"ref", "1700000000000-0.7"}, {"status", "8"}, {"err", "ACK/"}};
    CHECK((*p)->parse_report(in)->at(0).state == std::nullopt);  // at the SMSC: not final
    in.params = {{"ref", "1700000000000-0.7"}, {"status", "1"}, {"err", ""}};
    CHECK((*p)->parse_report(in)->at(0).state == loa::jobs::MessageState::delivered);
    // A map that is no mapping, a query that is no template: refused at load.
    Made bad;
    auto no_map = make(R"({name: local, type: http, url: 'http://k/', fields: {coding: {template: "{{unicode}}", map: [1, 2]}}})", bad);
    REQUIRE_FALSE(no_map.has_value());
    CHECK(no_map.error().front().find("coding.map must map") != std::string::npos);
    auto no_query = make(R"({name: local, type: http, url: 'http://k/',
                             dlr: {callback_query: "r={{nope}}", secret_header: X-S, secret: s}})", bad);
    REQUIRE_FALSE(no_query.has_value());
    CHECK(no_query.error().front().find("dlr.callback_query") != std::string::npos);
  }

  TEST_CASE("unknown provider types are refused naming the known ones") {
    loa::config::Config cfg;
    cfg.path = "loa.yaml";
    loa::config::ProviderConfig pc;
    pc.name = "x";
    pc.type = "smpp";
    pc.node = YAML::Load("{name: x, type: smpp}");
    cfg.providers.push_back(pc);
    auto r = loa::providers::build_providers(cfg, "http://h");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().at(0).find("unknown type \"smpp\" (known types: esms, file, http, infobip, speedsms, twilio)") != std::string::npos);
  }

  TEST_CASE("constant-time compare") {
    CHECK(loa::util::constant_time_equal("abc", "abc"));
    CHECK_FALSE(loa::util::constant_time_equal("abc", "abd"));
    CHECK_FALSE(loa::util::constant_time_equal("abc", "abcd"));
    CHECK_FALSE(loa::util::constant_time_equal("", "x"));
  }
}
