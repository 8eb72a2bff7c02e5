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

}  // namespace loa::providers
