// Encodings Loa needs at its edges: URL/form encoding, Base64, HMAC-SHA1 and a
// constant-time compare for secrets and signatures.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace loa::util {

/// Percent-encodes for application/x-www-form-urlencoded and query strings.
std::string url_encode(const std::string& s);
/// Decodes %XX and '+' (form encoding).
std::string url_decode(const std::string& s);
/// Parses "a=1&b=2" into ordered pairs (repeats kept).
std::vector<std::pair<std::string, std::string>> parse_form(const std::string& body);
/// The first value of `name` in `url`'s query (decoded), "" when it has none.
std::string query_param(const std::string& url, const std::string& name);
/// "k=v&k2=v2", each part URL-encoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

std::string base64(const std::string& bytes);
std::string hmac_sha1(const std::string& key, const std::string& data);
/// HMAC-SHA256, raw bytes.
std::string hmac_sha256(const std::string& key, const std::string& data);

/// SHA-256 of `data`, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or bytes past U+10FFFF).
bool valid_utf8(std::string_view s);

/// Compares two secrets in time independent of where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace loa::util
