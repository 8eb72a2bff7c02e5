// The one reader of `{{name}}` tags, for message templates (Mustache, rendered by
// kainjow) and for the generic provider's request fields.
#pragma once
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace loa::text {

/// A run of literal text, or a tag: `name` is what stands between the braces, trimmed,
/// its sigil (# ^ / ! > = &) still in front; `triple` for {{{name}}}.
struct Piece {
  bool tag = false;
  bool triple = false;
  std::string text;  ///< the literal, or the tag's name
};

/// `source` as literal runs and tags, in order; an error naming the byte of an unclosed tag.
std::expected<std::vector<Piece>, std::string> split_tags(std::string_view source);

}  // namespace loa::text
