// The provider registry: factories by type name, and building every configured provider.
#pragma once
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/util/yaml_reader.h"
#include "providers/provider.h"

namespace loa::providers {

/// What a factory gets: the whole config (for state_dir, public_url) and its own section.
struct FactoryContext {
  const config::Config& config;
  const config::ProviderConfig& provider;
  /// "<public_url>/dlr/<name>[?token=...]", the URL handed to the provider for reports.
  std::string callback_url;
};

using Factory = std::function<std::expected<std::unique_ptr<Provider>, std::vector<std::string>>(const FactoryContext&)>;

class Registry {
 public:
  /// Adds a factory; false (and nothing added) when the type is already registered.
  bool add(const std::string& type, Factory f);
  const Factory* find(const std::string& type) const;
  std::string known_types() const;

 private:
  std::map<std::string, Factory> factories_;
};

/// The keys every provider type takes, plus `own`.
std::vector<std::string_view> provider_keys(std::initializer_list<std::string_view> own);

/// Reads string keys of a provider section into `fields` (key, destination); a missing
/// key is an error ("<what> needs <key>") when `required`, else leaves the destination.
void read_strings(util::YamlReader& r, const YAML::Node& n, const std::string& what,
                  std::initializer_list<std::pair<const char*, std::string*>> fields, bool required);

/// Registers http, file and every vendor of providers/vendors/list.h (explicit calls, no
/// static constructors).
void register_builtin_providers(Registry& r);

/// Builds every configured provider, validating type-specific keys. Errors are file:line.
/// `public_url` overrides the config's (the daemon passes its bound address when unset).
std::expected<std::map<std::string, std::unique_ptr<Provider>>, std::vector<std::string>> build_providers(
    const config::Config& cfg, const std::string& public_url);

/// The callback URL for provider `p`.
std::string callback_url(const std::string& public_url, const config::ProviderConfig& p);

}  // namespace loa::providers
