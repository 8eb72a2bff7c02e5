// The SMS provider plug-in interface: request building, response interpretation and
// delivery-report parsing. Adapters never touch curl; the dispatcher runs the requests.
//
// Thread contract: build_request/parse_response are called from one dispatcher thread;
// parse_report from webhook threads, concurrently. Implementations keep no mutable state
// after construction (or guard it themselves).
#pragma once
#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/states.h"
#include "providers/transport/http.h"

namespace loa::providers {

using transport::HttpRequest;
using transport::HttpResponse;

/// A message as a provider sees it.
struct Message {
  std::string ref;       ///< Loa's unique id ("<job>.<index>")
  std::string to_local;  ///< "0912345678"
  std::string to_digits; ///< "84912345678"
  std::string to_e164;   ///< "+84912345678"
  std::string text;
  bool unicode = false;
  int attempt = 1;
  /// Times an operator had the message sent again after it failed (`loa retry --failed`).
  /// A provider that de-duplicates by Loa's reference gets a new one for each round
  /// (reference_for), or it would swallow the resend as a repeat.
  int round = 0;
};

/// The reference a provider that de-duplicates is handed: `ref`, then "r<round>" from the
/// first resend on ("1795893452014-0.3r1"); report_ref() gives `ref` back.
std::string reference_for(const Message& m);
/// The Loa reference within a reference from reference_for (itself when it has no round).
std::string_view report_ref(std::string_view reference);

/// How a failure should be treated; retry decisions look only at this.
enum class ErrorKind {
  Transient,    ///< the provider surely did not take it: retry, maybe elsewhere
  RateLimited,  ///< 429: retry after retry_after
  Ambiguous,    ///< may have been taken (timeout after write): unknown unless idempotent
  Permanent,    ///< do not retry (bad number, blocked subscriber, other 4xx)
  Account,      ///< the provider refuses the account, not the message (credentials, balance,
                ///< IP not allowed, account locked, brandname not registered): nothing was
                ///< sent; the provider is paused and its messages fail over or wait
};

struct ProviderError {
  ErrorKind kind = ErrorKind::Permanent;
  std::string reason;
  std::optional<std::int64_t> retry_after_ms;
};

struct Accepted {
  std::string provider_id;  ///< the provider's message id ("" when none)
  bool delivered = false;   ///< true for providers that deliver on acceptance (file)
};

/// An incoming delivery report request, as the webhook server received it.
struct IncomingReport {
  std::string method;
  std::string url;  ///< the full public URL the provider called (for signatures)
  std::string body;
  std::string content_type;
  std::multimap<std::string, std::string> params;   ///< query and form fields
  std::multimap<std::string, std::string> headers;  ///< names as received
  std::string header(const std::string& name) const;
  std::string param(const std::string& name) const;
};

/// One parsed delivery report.
struct Report {
  std::string ref;          ///< Loa's ref when the provider echoes it, else ""
  std::string provider_id;  ///< the provider's message id when no ref
  std::optional<jobs::MessageState> state;  ///< delivered, failed, or none for an intermediate state
  std::string error;        ///< provider's reason for a failure
};

enum class ReportError { Malformed, Unauthorized };
struct ReportFailure {
  ReportError kind = ReportError::Malformed;
  std::string reason;
};

class Provider {
 public:
  virtual ~Provider() = default;
  Provider() = default;
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  virtual const std::string& name() const = 0;

  /// Sends without HTTP (the file provider); nullopt for HTTP providers.
  virtual std::optional<std::expected<Accepted, ProviderError>> send_local(const Message&) { return std::nullopt; }

  /// The HTTP request that sends `m`.
  virtual std::expected<HttpRequest, ProviderError> build_request(const Message& m) = 0;

  /// Interprets the provider's answer (or a transport failure) to a request.
  virtual std::expected<Accepted, ProviderError> parse_response(const Message& m, const HttpResponse& r) = 0;

  /// Parses a delivery report; Unauthorized for a bad secret or signature.
  virtual std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) = 0;

  /// True when a resend with the same ref is de-duplicated by the provider, so an
  /// ambiguous failure may be retried.
  virtual bool idempotent() const { return false; }

  /// True when delivery reports name messages only by the provider's own id, so Loa must
  /// remember which of its messages each id belongs to.
  virtual bool reports_by_provider_id() const { return true; }

  /// True when its config lets anyone post delivery reports (`dlr: { insecure: true }`):
  /// `loa check` and the daemon warn about it.
  virtual bool reports_unauthenticated() const { return false; }
};

/// Maps a transport failure or HTTP status to an error kind (shared by HTTP adapters):
/// no request written or 5xx -> Transient; 429 -> RateLimited; timeout after write ->
/// Ambiguous; 401/403 -> Auth; other 4xx -> Permanent.
ProviderError classify_http(const HttpResponse& r);

}  // namespace loa::providers
