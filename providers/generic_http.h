// The generic, configurable `http` provider (CONTRACT.md "Provider type http").
#pragma once
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "providers/registry.h"

namespace loa::providers {

/// Factory: validates the provider's section (file:line errors) into a GenericHttpProvider.
std::expected<std::unique_ptr<Provider>, std::vector<std::string>> make_generic_http(const FactoryContext& ctx);

/// Percent-encodes for application/x-www-form-urlencoded and query strings.
std::string url_encode(const std::string& s);

/// Compares two secrets in time independent of where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace loa::providers
