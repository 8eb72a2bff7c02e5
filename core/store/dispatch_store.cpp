// Taking, recording and recovering messages.
#include "core/store/dispatch_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/store/codec.h"

namespace loa::store {

namespace {

std::vector<std::string> take_args(const std::string& prefix, const TakeRequest& t) {
  return {prefix,
          std::to_string(t.max),
          std::to_string(t.lease_ms),
          t.instance,
          t.provider,
          fmt::format("{}", t.rate),
          std::to_string(t.burst),
          t.bulk_allowed ? "1" : "0",
          t.clock_ms ? std::to_string(*t.clock_ms) : ""};
}

std::vector<std::string> record_args(const std::string& prefix, const RecordRequest& rec) {
  // Grouped by job, in the order jobs first appear (record.lua).
  std::vector<std::pair<std::string_view, std::vector<const Outcome*>>> groups;
  for (const auto& o : rec.outcomes) {
    std::string_view ref(o.ref);
    auto dot = ref.rfind('.');
    std::string_view job = ref.substr(0, dot == std::string_view::npos ? 0 : dot);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == job; });
    if (it == groups.end()) it = groups.insert(groups.end(), {job, {}});
    it->second.push_back(&o);
  }
  std::vector<std::string> args{prefix, rec.provider, rec.map_ids ? "1" : "0", std::to_string(groups.size()),
                                std::to_string(rec.releases.size())};
  args.reserve(args.size() + groups.size() * 2 + rec.outcomes.size() * 7 + rec.releases.size());
  for (const auto& [job, list] : groups) {
    args.emplace_back(job);
    args.push_back(std::to_string(list.size()));
    for (const Outcome* o : list)
      args.insert(args.end(), {o->ref.substr(job.size() + 1), std::string(name(o->outcome)), o->provider_id, o->error,
                               std::to_string(o->retry_delay_ms), o->retry_provider, o->pin ? "1" : "0"});
  }
  args.insert(args.end(), rec.releases.begin(), rec.releases.end());
  return args;
}

std::expected<Taken, std::string> taken(Reply& r) {
  auto& e = r.elements;
  if (e.size() < 2) return std::unexpected("unexpected reply from the take script");
  Taken out;
  out.wait_ms = e[0].text() == "wait" ? std::max<long long>(1, e[1].as_int()) : 0;
  // Runs: lease, job, k, m, then m pairs (chunk, packed chunk), then k messages of 2
  // values each: index, attempts.
  std::vector<std::pair<std::int64_t, ChunkReader>> chunks;
  for (size_t i = 2; i + 3 < e.size();) {
    const std::string& lease = e[i].str;
    const std::string& job = e[i + 1].str;
    const auto k = static_cast<size_t>(e[i + 2].as_int());
    const auto m = static_cast<size_t>(e[i + 3].as_int());
    i += 4;
    if (i + m * 2 + k * 2 > e.size()) return std::unexpected("truncated reply from the take script");
    chunks.clear();
    for (size_t c = 0; c < m; ++c, i += 2) chunks.emplace_back(e[i].as_int(), ChunkReader(e[i + 1].str));
    for (size_t x = 0; x < k; ++x, i += 2) {
      const std::string& index = e[i].str;
      const std::int64_t n = std::strtoll(index.c_str(), nullptr, 10);
      auto chunk = std::find_if(chunks.begin(), chunks.end(), [&](const auto& c) { return c.first == chunk_of(n); });
      auto f = chunk == chunks.end() ? std::nullopt : chunk->second.fields(static_cast<std::size_t>(n % kChunkSize));
      if (!f) return std::unexpected("malformed message data in job " + job + " at message " + index);
      // Only the fields a send needs, without copying the others (the hot path).
      auto field = [&](DataField d) { return (*f)[static_cast<std::size_t>(d)]; };
      Outbound o;
      o.ref = job + "." + index;
      // "3", or "3r2": the third attempt of the second round; "3p", "3r2p": pinned to
      // this provider (take.lua).
      if (e[i + 1].type == Reply::Type::Integer) {
        o.attempts = static_cast<int>(e[i + 1].integer);
      } else {
        const std::string& attempts = e[i + 1].str;
        o.attempts = std::atoi(attempts.c_str());
        if (auto r = attempts.find('r'); r != std::string::npos) o.round = std::atoi(attempts.c_str() + r + 1);
        o.pinned = attempts.ends_with('p');
      }
      o.phone = field(DataField::phone);
      o.unicode = field(DataField::unicode) == "1";
      o.route = field(DataField::route);
      o.text = chunk->second.text(*f);
      o.lease = lease;
      out.messages.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace

std::expected<void, std::string> DispatchStore::begin_record_and_take(const RecordRequest& rec, const TakeRequest& t) {
  std::vector<Redis::EvalCall> calls;
  if (!rec.empty())
    calls.push_back({&scripts::get(scripts::Id::record), {keys_.inflight(), keys_.retry()}, record_args(p_, rec)});
  if (t.max > 0) calls.push_back({&scripts::get(scripts::Id::take), {keys_.inflight()}, take_args(p_, t)});
  return redis_.send_evals(std::move(calls));
}

std::expected<Taken, std::string> DispatchStore::end_record_and_take() {
  auto r = redis_.receive_evals();
  if (!r) return std::unexpected(r.error());
  if (r->empty() || r->back().type != Reply::Type::Array) return Taken{};  // a record alone
  return taken(r->back());
}

std::expected<long long, std::string> DispatchStore::recover(const std::string& instance, bool startup) {
  auto r = run(scripts::Id::recover, {keys_.inflight()}, {instance, startup ? "1" : "0"});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

std::expected<long long, std::string> DispatchStore::promote_retries() {
  auto r = run(scripts::Id::promote_retries, {keys_.retry()}, {});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

std::expected<long long, std::string> DispatchStore::ready_depth(const std::string& provider) {
  long long total = 0;
  for (const char* prio : {"0", "1"}) {
    auto jobs = redis_.command({"ZRANGE", keys_.active(provider, prio), "0", "-1"});
    if (!jobs) return std::unexpected(jobs.error());
    std::vector<std::vector<std::string>> cmds;
    for (const auto& j : jobs->elements) cmds.push_back({"LLEN", keys_.lane(provider, j.text())});
    if (cmds.empty()) continue;
    auto lens = redis_.pipeline(cmds);
    if (!lens) return std::unexpected(lens.error());
    for (const auto& l : *lens) total += l.as_int();
  }
  return total;
}

}  // namespace loa::store
