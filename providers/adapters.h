// Factories of the vendor adapters: eSMS.vn, SpeedSMS.vn, Twilio, Infobip. Each validates
// its own config section (file:line errors) into typed settings at start-up.
#pragma once
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "providers/registry.h"

namespace loa::providers {

using FactoryResult = std::expected<std::unique_ptr<Provider>, std::vector<std::string>>;

FactoryResult make_esms(const FactoryContext& ctx);
FactoryResult make_speedsms(const FactoryContext& ctx);
FactoryResult make_twilio(const FactoryContext& ctx);
FactoryResult make_infobip(const FactoryContext& ctx);

/// The X-Twilio-Signature of a request to `url` with form `params`: Base64 of
/// HMAC-SHA1(auth_token, url + each param name and value, sorted by name).
std::string twilio_signature(const std::string& auth_token, const std::string& url,
                             std::vector<std::pair<std::string, std::string>> params);

}  // namespace loa::providers
