// One runner for every vendor's table of cases, in the manner of gateway projects'
// per-channel handler tests: each vendor's test file lists its cases (config sections,
// the request it must build, answers and what Loa makes of them, delivery reports and the
// states they give) and hands them to run(). Payloads live in tests/data/providers/<type>.
#pragma once
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.h"
#include "providers/provider.h"

namespace loa::test::vendors {

using loa::jobs::MessageState;
using loa::providers::ErrorKind;
using loa::providers::ReportError;

/// A provider of `type` built from a YAML section, as the daemon would build it with
/// public_url https://sms.example.vn (callbacks to .../dlr/<type>[?token=<token>]).
struct Built {
  loa::config::Config cfg;
  loa::config::ProviderConfig pc;
  std::unique_ptr<loa::providers::Provider> provider;
  std::vector<std::string> errors;
};
std::unique_ptr<Built> build(const std::string& type, const std::string& yaml,
                             const std::string& base_url = "http://127.0.0.1:9", const std::string& token = "tok");

/// A message to 0912345678 (every form from core/phone), unicode.
loa::providers::Message sample_message(const std::string& ref = "1795893452014-0.3", const std::string& text = "Chào bạn");

/// A payload: "@name" is tests/data/providers/<type>/<name>, anything else itself.
std::string payload(const std::string& type, const std::string& spec);

/// A config section and whether the factory takes it (else an error containing `error`).
struct ConfigCase {
  std::string label;
  std::string yaml;
  std::string base_url = "http://127.0.0.1:9";
  std::string token = "tok";
  std::string error;  ///< empty: accepted
};

/// The request built for the sample message (0912345678, "Chào bạn", ref
/// 1795893452014-0.3, unicode): URL, Basic credentials, headers that must be there, and
/// the body, compared with the fixture as JSON or as form fields.
struct RequestCase {
  std::string url;
  std::string basic_auth;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  ///< "@request.json" or "@request.form"
};

/// An answer to the sample message and what Loa makes of it.
struct SendCase {
  std::string label;
  long status = 200;
  std::string body;
  std::string transport_error;  ///< set: no answer came (request_sent as below)
  bool request_sent = true;
  std::optional<std::string> accepted_id;  ///< taken, with this provider id
  std::optional<ErrorKind> error;          ///< or refused so
  std::string reason;                      ///< part of the error's reason
};

/// One report a delivery report must yield.
struct Yield {
  std::string ref, provider_id;
  std::optional<MessageState> state;  ///< none: intermediate
  std::string error;                  ///< part of its error
};
/// A delivery report request and its reports (or the error it must get).
struct ReportCase {
  std::string label;
  std::string body;   ///< payload
  std::string query;  ///< query or form fields, as in a URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string url = "";  ///< the public URL called ("" for https://sms.example.vn/dlr/<type>)
  std::vector<Yield> reports;
  std::optional<ReportError> error;
};

/// A vendor's cases; every list may be empty.
struct VendorCases {
  std::string type;
  std::string yaml;  ///< a good section, used for the request, send and report cases
  std::string token = "tok";
  bool idempotent = false;
  bool reports_by_provider_id = true;
  std::vector<ConfigCase> configs;
  RequestCase request;
  std::vector<SendCase> sends;
  std::vector<ReportCase> reports;
};

/// Runs every case as a doctest subcase.
void run(const VendorCases& v);

}  // namespace loa::test::vendors
