// Twilio's request signature, for the adapter and for tests that sign as Twilio does.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace loa::providers {

/// The X-Twilio-Signature of a request to `url` with form `params`: Base64 of
/// HMAC-SHA1(auth_token, url + each param name and value, sorted by name).
std::string twilio_signature(const std::string& auth_token, const std::string& url,
                             std::vector<std::pair<std::string, std::string>> params);

}  // namespace loa::providers
