// The `file` provider: appends each message as a JSON line to an outbox file and reports
// it delivered. For dry runs and demos.
#pragma once
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "providers/registry.h"

namespace loa::providers {

std::expected<std::unique_ptr<Provider>, std::vector<std::string>> make_file_provider(const FactoryContext& ctx);

}  // namespace loa::providers
