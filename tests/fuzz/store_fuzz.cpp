// Fuzz target: the message values Loa reads back from Redis (core/store/codec.h), which a
// damaged or foreign Redis may hold anything in: a data chunk and a progress value are read
// without crashing; and texts packed into a chunk come back byte for byte. The first byte
// picks the check; the rest is the value, or (round trip) up to 16 texts split at '\n'.
#include <cstdlib>
#include <string>
#include <vector>

#include "core/store/codec.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(store) {
  if (size == 0) return 0;
  std::string_view rest = loa::fuzz::text(data + 1, size - 1);
  using namespace loa::store;
  if (data[0] & 1) {
    // Round trip: what was packed reads back the same.
    std::vector<MessageData> rows;
    while (rows.size() < static_cast<std::size_t>(kChunkSize)) {
      auto nl = rest.find('\n');
      MessageData d;
      d.ward = "w";
      d.row = std::to_string(rows.size());
      d.name = std::string(rest.substr(0, std::min<std::size_t>(nl, 8)));
      d.text = std::string(rest.substr(0, nl));
      rows.push_back(std::move(d));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    std::vector<const MessageData*> in;
    for (const auto& d : rows) in.push_back(&d);
    auto back = unpack_chunk(pack_chunk(42, in.data(), in.size()));
    if (!back || back->size() != rows.size()) std::abort();
    for (std::size_t k = 0; k < rows.size(); ++k)
      if ((*back)[k].text != rows[k].text || (*back)[k].row != rows[k].row || (*back)[k].queued_at != 42) std::abort();
    return 0;
  }
  ChunkReader c(rest);
  for (std::size_t k = 0; k < c.size(); ++k)
    if (auto f = c.fields(k)) (void)c.text(*f);
  (void)unpack_chunk(rest);
  (void)unpack_progress(rest, 1790000000000);
  return 0;
}
