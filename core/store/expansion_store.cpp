// Claiming and expanding jobs.
#include "core/store/expansion_store.h"

#include <map>

#include "core/store/codec.h"
#include "core/util/time.h"

namespace loa::store {

std::expected<std::optional<ExpansionStore::Claim>, std::string> ExpansionStore::claim(const std::string& instance,
                                                                                    std::int64_t lease_ms,
                                                                                    std::int64_t* next_due_ms) {
  for (int guard = 0; guard < 100; ++guard) {
    auto r = run(scripts::Id::claim, {keys_.due(), keys_.owner()}, {std::to_string(lease_ms), instance});
    if (!r) return std::unexpected(r.error());
    if (r->elements.size() < 2) return std::unexpected("unexpected reply from the claim script");
    if (!r->elements[0].text().empty())
      return Claim{r->elements[0].text(), r->elements[1].as_int(), r->elements.size() > 2 ? r->elements[2].text() : ""};
    std::string hint = r->elements[1].text();
    if (hint == "again") continue;
    if (next_due_ms) *next_due_ms = hint.empty() ? 0 : std::stoll(hint);
    return std::nullopt;
  }
  return std::nullopt;
}

std::expected<bool, std::string> ExpansionStore::expand_chunk(const std::string& job, std::int64_t expected,
                                                              const std::vector<ExpandedRow>& rows,
                                                              std::int64_t lease_ms) {
  // The layout expand_chunk.lua reads: data chunks, progress pairs, counts, lanes. Rows
  // come in order from a cursor that is a multiple of the chunk size (Expander::kChunk
  // is), so every chunk is written whole, once.
  if (!rows.empty() && rows.front().index % kChunkSize != 0)
    return std::unexpected("job " + job + ": expansion resumed inside a chunk (row " + std::to_string(rows.front().index) + ")");
  std::map<jobs::MessageState, std::int64_t> counts;
  std::map<std::string, std::vector<std::string>, std::less<>> lanes;
  const std::int64_t now = util::now_ms();
  const std::size_t chunks = (rows.size() + kChunkSize - 1) / kChunkSize;
  std::vector<std::string> args{job, std::to_string(expected),
                                std::to_string(expected + static_cast<std::int64_t>(rows.size())),
                                std::to_string(lease_ms), std::to_string(chunks), std::to_string(rows.size()), "", ""};
  args.reserve(args.size() + chunks * 2 + rows.size() * 3 + 16);
  std::vector<const MessageData*> in_chunk;
  for (std::size_t first = 0; first < rows.size(); first += kChunkSize) {
    in_chunk.clear();
    for (std::size_t i = first; i < rows.size() && i < first + kChunkSize; ++i) {
      if (rows[i].index != rows.front().index + static_cast<std::int64_t>(i))
        return std::unexpected("job " + job + ": expanded rows out of order at row " + std::to_string(rows[i].index));
      in_chunk.push_back(&rows[i].data);
    }
    args.push_back(std::to_string(chunk_of(rows[first].index)));
    args.push_back(pack_chunk(now, in_chunk.data(), in_chunk.size()));
  }
  for (const auto& m : rows) {
    args.push_back(std::to_string(m.index));
    args.push_back(initial_progress(m.state, m.error));
    ++counts[m.state];
    if (m.state == jobs::MessageState::queued) {
      std::string_view route(m.data.route);
      auto provider = route.substr(0, route.find(','));
      auto it = lanes.find(provider);
      if (it == lanes.end()) it = lanes.emplace(std::string(provider), std::vector<std::string>{}).first;
      it->second.push_back(std::to_string(m.index));
    }
  }
  args[6] = std::to_string(counts.size());
  args[7] = std::to_string(lanes.size());
  for (const auto& [state, n] : counts) args.insert(args.end(), {std::string(jobs::name(state)), std::to_string(n)});
  for (auto& [provider, indexes] : lanes) {
    args.insert(args.end(), {provider, std::to_string(indexes.size())});
    for (auto& i : indexes) args.push_back(std::move(i));
  }
  auto r = run(scripts::Id::expand_chunk, {keys_.job(job), keys_.due()}, std::move(args));
  if (!r) return std::unexpected(r.error());
  return r->as_int() == 1;
}

std::expected<bool, std::string> ExpansionStore::finish_expansion(const std::string& job, std::int64_t cursor) {
  auto r = run(scripts::Id::finish_expansion, {keys_.job(job), keys_.due(), keys_.owner()}, {job, std::to_string(cursor)});
  if (!r) return std::unexpected(r.error());
  return r->as_int() == 1;
}

std::expected<void, std::string> ExpansionStore::reject(const std::string& job, const std::string& reason) {
  auto r = run(scripts::Id::reject, {keys_.job(job), keys_.due(), keys_.owner()}, {job, reason});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<long long, std::string> ExpansionStore::resume_mine(const std::string& instance) {
  auto r = run(scripts::Id::resume_mine, {keys_.due(), keys_.owner()}, {instance});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

}  // namespace loa::store
