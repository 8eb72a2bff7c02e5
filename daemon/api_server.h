// The officials' HTTP API (CONTRACT.md "HTTP API"), on `api.listen`, apart from the
// internet-facing webhook but on the same hardened server. Every request carries an
// account's token (`Authorization: Bearer <token>`), looked up in Redis each time, so a
// revoked token fails at once on every gateway. 401 without a valid token, 403 for a ward
// or a right the account lacks; nothing changes on either. Every change is audited with
// the account as actor and the client's address as source.
#pragma once
#include <expected>
#include <optional>
#include <string>

#include "core/util/i18n.h"

#include "daemon/context.h"
#include "daemon/http_server.h"

namespace loa::daemon {

/// The language an API client asks for: the highest-weighted of vi and en in its
/// Accept-Language (q=0 refuses one); otherwise the config's `language`; otherwise
/// Vietnamese, as `loa` speaks by default.
i18n::Language language_asked(const std::string& accept_language, const std::optional<std::string>& configured);

class ApiServer {
 public:
  /// Serves ctx.fixed.api (which must be set).
  explicit ApiServer(Context& ctx);
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  std::expected<int, std::string> bind() { return server_.bind(); }
  std::expected<void, std::string> start() { return server_.start(); }
  void stop() { server_.stop(); }

  /// One request, whole (public for the fuzz target and tests), answered in the language
  /// its Accept-Language asks for (vi or en; else the config's `language`; else vi). Error
  /// texts are for people and follow it; keys, states and stored reasons stay English.
  HttpResponse handle(HttpRequest& req);

 private:
  HttpResponse route(HttpRequest& req);

  Context& ctx_;
  HttpServer server_;
};

}  // namespace loa::daemon
