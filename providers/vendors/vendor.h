// What every vendor adapter shares, so that each adapter is its request, its tables and
// little else: the answer gate, JSON parsing of answers and reports, status tables, and
// reading its config section.
#pragma once
#include <expected>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/yaml_reader.h"
#include "providers/registry.h"

namespace loa::providers::vendor {

using json = nlohmann::json;
using FactoryResult = std::expected<std::unique_ptr<Provider>, std::vector<std::string>>;

// --- answers and reports ---------------------------------------------------------------

/// The answer gate: a transport failure, or an HTTP status not in `ok`, as classify_http
/// sees it; nullopt for an answer to read.
std::optional<ProviderError> gate(const HttpResponse& r, std::initializer_list<long> ok = {200});
/// The answer's JSON; Ambiguous ("<vendor> answer is not JSON: ...") when it is not: the
/// request was read, whatever the provider did with it.
std::expected<json, ProviderError> answer_json(std::string_view vendor, const HttpResponse& r);
/// A delivery report's JSON; Malformed ("<vendor> report is not JSON") when it is not.
std::expected<json, ReportFailure> report_json(std::string_view vendor, std::string_view body);
/// A JSON scalar as text: a string as it is, anything else as JSON ("100", "true").
std::string text_of(const json& v);
/// j[key] when it is a string, else "".
std::string string_at(const json& j, std::string_view key);

inline ProviderError error(ErrorKind kind, std::string reason) { return {kind, std::move(reason), std::nullopt}; }
inline std::unexpected<ReportFailure> malformed(std::string reason) {
  return std::unexpected(ReportFailure{ReportError::Malformed, std::move(reason)});
}

// --- status tables -----------------------------------------------------------------------

/// One row of a vendor's table: the provider's code and what Loa makes of it.
template <typename Code, typename Meaning>
struct Row {
  Code code;
  Meaning meaning;
};
/// The meaning of `code` in `table`, nullopt when the table does not list it.
template <typename Code, typename Meaning, std::size_t N, typename Key>
std::optional<Meaning> lookup(const Row<Code, Meaning> (&table)[N], const Key& code) {
  for (const auto& row : table)
    if (row.code == code) return row.meaning;
  return std::nullopt;
}

/// What a send answer's code means: taken (also a repeat of a message already taken);
/// refused because of the account (credentials, balance, IP, brandname: the provider is
/// paused); not taken by this provider but perhaps by another (a network it does not
/// serve); or refused for the message itself.
enum class Answer { taken, account, elsewhere, refused };

/// What a delivery report's status means: a final state, or an intermediate one (none).
using Outcome = std::optional<jobs::MessageState>;
inline constexpr Outcome kDelivered = jobs::MessageState::delivered;
inline constexpr Outcome kFailed = jobs::MessageState::failed;
inline constexpr Outcome kIntermediate = std::nullopt;

// --- config sections ----------------------------------------------------------------------

/// A vendor's config section: checks its keys (the shared ones and `own`), reads values,
/// and gathers every problem as "file:line: provider "x" (type t) ..." errors.
class Section {
 public:
  Section(const FactoryContext& ctx, std::string_view type, std::initializer_list<std::string_view> own);
  /// String keys read into their destinations; a missing one is an error when `needed`.
  void strings(std::initializer_list<std::pair<const char*, std::string*>> fields, bool needed);
  std::optional<long long> integer(const char* key, long long lo, long long hi);
  std::optional<bool> boolean(const char* key);
  /// Adds "<provider ...> <text>".
  void error(const std::string& text);
  /// Delivery reports of this vendor carry no signature: a dlr_token is required.
  void need_dlr_token(std::string_view vendor);
  /// The configured base_url, else `fallback` (an error when that is empty too).
  std::string base_url(std::string_view fallback, std::string_view hint = "");

  const std::string& name() const { return ctx_.provider.name; }
  const std::string& callback_url() const { return ctx_.callback_url; }
  const FactoryContext& context() const { return ctx_; }

  /// The adapter built from `settings`, or every error found.
  template <typename Adapter, typename Settings>
  FactoryResult finish(Settings settings) {
    if (!reader_.errors().empty()) return std::unexpected(reader_.errors());
    return std::make_unique<Adapter>(std::move(settings));
  }

 private:
  const FactoryContext& ctx_;
  const YAML::Node& node_;
  util::YamlReader reader_;
  std::string what_;
};

}  // namespace loa::providers::vendor
