// Twilio's request signature, for the adapter and for tests that sign as Twilio does.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace loa::providers {

/// The X-Twilio-Signature of a request to `url` with form `params`: Base64 of
/// HMAC-SHA1(key, url + each param name and value, sorted by name), or HMAC-SHA256 where a
/// Webhooks Rule says so (X-Twilio-Webhooks-Signature-Settings: algorithm=HMAC_SHA256, the
/// key then the rule's shared key, not the auth token).
std::string twilio_signature(const std::string& key, const std::string& url,
                             std::vector<std::pair<std::string, std::string>> params, bool sha256 = false);

}  // namespace loa::providers
