// Job and message operations over Redis (key layout in README.md, "Design").
#include "core/util/strings.h"
#include "core/store/job_store.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/store/scripts.h"
#include "core/util/time.h"

namespace loa::store {

namespace {
// One Script per Lua body, built (and hashed) once per process.
#define LOA_LUA(fn, body)                                              \
  const Script& fn() {                                                 \
    static const Script s(std::string(lua::kPrelude) + (body));        \
    return s;                                                          \
  }
LOA_LUA(enqueue_script, lua::kEnqueue)
LOA_LUA(admit_script, lua::kAdmit)
LOA_LUA(claim_script, lua::kClaim)
LOA_LUA(expand_script, lua::kExpandChunk)
LOA_LUA(finish_script, lua::kFinishExpansion)
LOA_LUA(reject_script, lua::kRejectJob)
LOA_LUA(take_script, lua::kTake)
LOA_LUA(record_script, lua::kRecord)
LOA_LUA(reports_script, lua::kApplyReports)
LOA_LUA(recover_script, lua::kRecover)
LOA_LUA(resume_script, lua::kResumeMine)
LOA_LUA(promote_script, lua::kPromoteRetries)
LOA_LUA(cancel_script, lua::kCancel)
LOA_LUA(requeue_script, lua::kRequeue)
#undef LOA_LUA
constexpr std::int64_t kKeyTtlSeconds = 400LL * 24 * 3600;  // idempotency keys outlive a yearly timer

// Packed message values (scripts.h): fields joined by the unit separator, the last one
// (text, error) free to hold anything.
constexpr char kSep = '\x1f';
constexpr const char* kDataFields[] = {"w", "r", "n", "p", "u", "rt", "tq", "t"};
constexpr const char* kStateFields[] = {"s", "a", "pr", "o", "tsend", "tsent", "tdone", "pid", "dlr", "e"};

/// A field that is not last must not hold the separator.
void append_field(std::string& out, std::string_view v) {
  for (char c : v) out.push_back(c == kSep ? ' ' : c);
  out.push_back(kSep);
}

/// The N fields of a packed value (missing ones empty); `complete` says none was missing.
template <std::size_t N>
std::array<std::string_view, N> split_packed(std::string_view v, bool* complete = nullptr) {
  std::array<std::string_view, N> f{};
  std::size_t i = 0;
  for (; i + 1 < N; ++i) {
    auto end = v.find(kSep);
    if (end == std::string_view::npos) break;
    f[i] = v.substr(0, end);
    v.remove_prefix(end + 1);
  }
  f[i] = v;
  if (complete) *complete = i + 1 == N;
  return f;
}

template <std::size_t N>
void unpack_into(std::map<std::string, std::string>& fields, std::string_view v, const char* const (&names)[N]) {
  auto f = split_packed<N>(v);
  for (std::size_t i = 0; i < N; ++i) fields[names[i]] = std::string(f[i]);
}

MessageRecord record_of(std::int64_t index, const Reply& data, const Reply& state) {
  MessageRecord m;
  m.index = index;
  unpack_into(m.fields, data.str, kDataFields);
  unpack_into(m.fields, state.str, kStateFields);
  return m;
}
}  // namespace

std::string redis_url(const std::string& configured, const std::string& state_dir) {
  if (configured != "embedded") return configured;
  return "unix://" + (std::filesystem::path(state_dir) / "redis.sock").string();
}

std::expected<Reply, std::string> JobStore::run(const Script& s, const std::vector<std::string>& keys,
                                                std::vector<std::string> args) {
  args.insert(args.begin(), p_);
  return redis_.eval(s, keys, args);
}

std::expected<JobStore::Enqueued, std::string> JobStore::enqueue(const jobs::JobSpec& spec) {
  bool has_key = spec.key.has_value();
  auto r = run(enqueue_script(), {key("jobs"), key("idem:" + spec.key.value_or(""))},
               {jobs::to_json(spec), has_key ? "1" : "0", std::to_string(kKeyTtlSeconds)});
  if (!r) return std::unexpected(r.error());
  if (r->elements.size() != 2) return std::unexpected("unexpected reply from the enqueue script");
  return Enqueued{r->elements[0].text(), r->elements[1].text() == "1"};
}

std::expected<void, std::string> JobStore::ensure_group() {
  auto r = redis_.command({"XGROUP", "CREATE", key("jobs"), "gw", "0", "MKSTREAM"});
  if (!r && r.error().find("BUSYGROUP") == std::string::npos) return std::unexpected(r.error());
  return {};
}

namespace {
std::vector<StreamEntry> entries_of(const Reply& list) {
  std::vector<StreamEntry> out;
  for (const auto& e : list.elements) {
    if (e.elements.empty()) continue;
    StreamEntry entry;
    entry.id = e.elements[0].text();
    if (e.elements.size() > 1) {
      const auto& kv = e.elements[1].elements;
      for (size_t i = 0; i + 1 < kv.size(); i += 2)
        if (kv[i].text() == "job") entry.job = kv[i + 1].text();
    }
    out.push_back(std::move(entry));
  }
  return out;
}
}  // namespace

std::expected<std::vector<StreamEntry>, std::string> JobStore::read_jobs(const std::string& consumer, bool pending,
                                                                         int count, int block_ms) {
  std::vector<std::string> argv{"XREADGROUP", "GROUP", "gw", consumer, "COUNT", std::to_string(count)};
  if (!pending) {
    argv.push_back("BLOCK");
    argv.push_back(std::to_string(block_ms));
  }
  argv.insert(argv.end(), {"STREAMS", key("jobs"), pending ? "0" : ">"});
  auto r = redis_.command(argv);
  if (!r) return std::unexpected(r.error());
  if (r->nil() || r->elements.empty()) return std::vector<StreamEntry>{};
  return entries_of(r->elements[0].elements.at(1));
}

std::expected<std::vector<StreamEntry>, std::string> JobStore::autoclaim(const std::string& consumer,
                                                                         std::int64_t min_idle_ms) {
  auto r = redis_.command({"XAUTOCLAIM", key("jobs"), "gw", consumer, std::to_string(min_idle_ms), "0", "COUNT", "50"});
  if (!r) return std::unexpected(r.error());
  if (r->elements.size() < 2) return std::vector<StreamEntry>{};
  return entries_of(r->elements[1]);
}

std::expected<void, std::string> JobStore::ack(const std::string& id) {
  auto r = redis_.command({"XACK", key("jobs"), "gw", id});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<void, std::string> JobStore::admit(const std::string& id, const std::string& spec_json,
                                                 const std::optional<jobs::JobSpec>& spec, const std::string& state,
                                                 const std::string& reason, std::optional<std::int64_t> due_ms) {
  std::string wards, tmpl;
  bool has_key = spec && spec->key;
  if (spec) {
    wards = util::join(spec->wards, ",");
    tmpl = spec->template_name;
  }
  auto r = run(admit_script(), {key("job:" + id), key("index"), key("due"), key("idem:" + (has_key ? *spec->key : ""))},
               {id, spec_json, state, reason, due_ms ? std::to_string(*due_ms) : "", has_key ? "1" : "0",
                std::to_string(kKeyTtlSeconds), wards, tmpl, spec && spec->urgent ? "1" : "0"});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<std::optional<JobStore::Claim>, std::string> JobStore::claim(const std::string& instance,
                                                                            std::int64_t lease_ms,
                                                                            std::int64_t* next_due_ms) {
  for (int guard = 0; guard < 100; ++guard) {
    auto r = run(claim_script(), {key("due"), key("owner")}, {std::to_string(lease_ms), instance});
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

std::expected<bool, std::string> JobStore::expand_chunk(const std::string& job, std::int64_t expected,
                                                        const std::vector<ExpandedRow>& rows, std::int64_t lease_ms) {
  // The layout kExpandChunk reads: data pairs, state pairs, counts, lanes.
  std::map<std::string, std::int64_t> counts;
  std::map<std::string, std::vector<std::string>> lanes;
  const std::string now = std::to_string(util::now_ms());
  std::vector<std::string> args{job, std::to_string(expected), std::to_string(expected + static_cast<std::int64_t>(rows.size())),
                                std::to_string(lease_ms), std::to_string(rows.size()), "", ""};
  args.reserve(args.size() + rows.size() * 5 + 16);
  for (const auto& m : rows) {
    std::string data;
    data.reserve(m.ward.size() + m.row.size() + m.name.size() + m.phone.size() + m.route.size() + m.text.size() + 24);
    for (const std::string* f : {&m.ward, &m.row, &m.name, &m.phone, &m.unicode, &m.route, &now}) append_field(data, *f);
    data += m.text;
    args.push_back(std::to_string(m.index));
    args.push_back(std::move(data));
  }
  for (const auto& m : rows) {
    args.push_back(std::to_string(m.index));
    args.push_back(m.state + std::string(9, kSep) + m.error);
    ++counts[m.state];
    if (m.state == "queued") lanes[m.provider].push_back(std::to_string(m.index));
  }
  args[5] = std::to_string(counts.size());
  args[6] = std::to_string(lanes.size());
  for (const auto& [state, n] : counts) args.insert(args.end(), {state, std::to_string(n)});
  for (auto& [provider, indexes] : lanes) {
    args.insert(args.end(), {provider, std::to_string(indexes.size())});
    for (auto& i : indexes) args.push_back(std::move(i));
  }
  auto r = run(expand_script(), {key("job:" + job), key("due")}, std::move(args));
  if (!r) return std::unexpected(r.error());
  return r->as_int() == 1;
}

std::expected<bool, std::string> JobStore::finish_expansion(const std::string& job, std::int64_t cursor) {
  auto r = run(finish_script(), {key("job:" + job), key("due"), key("owner")}, {job, std::to_string(cursor)});
  if (!r) return std::unexpected(r.error());
  return r->as_int() == 1;
}

std::expected<void, std::string> JobStore::reject(const std::string& job, const std::string& reason) {
  auto r = run(reject_script(), {key("job:" + job), key("due"), key("owner")}, {job, reason});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<long long, std::string> JobStore::resume_mine(const std::string& instance) {
  auto r = run(resume_script(), {key("due"), key("owner")}, {instance});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

namespace {

std::vector<std::string> take_args(const std::string& prefix, const std::string& provider, int n, std::int64_t lease_ms,
                                   const std::string& instance, double rate, int burst, bool bulk_allowed,
                                   std::optional<std::int64_t> clock_ms) {
  return {prefix, std::to_string(n), std::to_string(lease_ms), instance, provider, fmt::format("{}", rate),
          std::to_string(burst), bulk_allowed ? "1" : "0", clock_ms ? std::to_string(*clock_ms) : ""};
}

std::vector<std::string> record_args(const std::string& prefix, const std::string& provider,
                                     const std::vector<Outcome>& outcomes, const std::vector<std::string>& releases,
                                     bool map_ids) {
  // Grouped by job, in the order jobs first appear (kRecord).
  std::vector<std::pair<std::string_view, std::vector<const Outcome*>>> groups;
  for (const auto& o : outcomes) {
    std::string_view ref(o.ref);
    auto dot = ref.rfind('.');
    std::string_view job = ref.substr(0, dot == std::string_view::npos ? 0 : dot);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == job; });
    if (it == groups.end()) it = groups.insert(groups.end(), {job, {}});
    it->second.push_back(&o);
  }
  std::vector<std::string> args{prefix, provider, map_ids ? "1" : "0", std::to_string(groups.size()),
                                std::to_string(releases.size())};
  args.reserve(args.size() + groups.size() * 2 + outcomes.size() * 6 + releases.size());
  for (const auto& [job, list] : groups) {
    args.emplace_back(job);
    args.push_back(std::to_string(list.size()));
    for (const Outcome* o : list)
      args.insert(args.end(), {o->ref.substr(job.size() + 1), o->outcome, o->provider_id, o->error,
                               std::to_string(o->retry_delay_ms), o->retry_provider});
  }
  args.insert(args.end(), releases.begin(), releases.end());
  return args;
}

std::expected<std::vector<Outbound>, std::string> taken(Reply& r, std::int64_t& wait_ms) {
  auto& e = r.elements;
  if (e.size() < 2) return std::unexpected("unexpected reply from the take script");
  wait_ms = e[0].text() == "wait" ? std::max<long long>(1, e[1].as_int()) : 0;
  std::vector<Outbound> out;
  // Runs: lease, job, k, then k messages of 3 values each: index, attempts, packed data.
  for (size_t i = 2; i + 2 < e.size();) {
    const std::string& lease = e[i].str;
    const std::string& job = e[i + 1].str;
    const auto k = static_cast<size_t>(e[i + 2].as_int());
    i += 3;
    if (i + k * 3 > e.size()) return std::unexpected("truncated reply from the take script");
    for (size_t m = 0; m < k; ++m, i += 3) {
      Outbound o;
      o.ref = job + "." + e[i].str;
      o.attempts = static_cast<int>(e[i + 1].as_int());
      // data: ward, row, name, phone, unicode, route, queued at, text
      bool complete = false;
      auto f = split_packed<std::size(kDataFields)>(e[i + 2].str, &complete);
      if (!complete) return std::unexpected("malformed message data in job " + job);
      o.phone = f[3];
      o.unicode = f[4] == "1";
      o.route = f[5];
      o.text = f[7];
      o.lease = lease;
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace

std::expected<std::vector<Outbound>, std::string> JobStore::take(const std::string& provider, int n,
                                                                 std::int64_t lease_ms, const std::string& instance,
                                                                 double rate, int burst, bool bulk_allowed,
                                                                 std::int64_t& wait_ms,
                                                                 std::optional<std::int64_t> clock_ms) {
  auto r = redis_.eval(take_script(), {key("inflight")},
                       take_args(p_, provider, n, lease_ms, instance, rate, burst, bulk_allowed, clock_ms));
  if (!r) return std::unexpected(r.error());
  return taken(*r, wait_ms);
}

std::expected<void, std::string> JobStore::begin_record_and_take(
    const std::string& provider, const std::vector<Outcome>& outcomes, const std::vector<std::string>& releases,
    bool map_ids, int n, std::int64_t lease_ms, const std::string& instance, double rate, int burst, bool bulk_allowed) {
  std::vector<Redis::EvalCall> calls;
  if (!outcomes.empty() || !releases.empty())
    calls.push_back({&record_script(), {key("inflight"), key("retry")}, record_args(p_, provider, outcomes, releases, map_ids)});
  if (n > 0)
    calls.push_back({&take_script(), {key("inflight")},
                     take_args(p_, provider, n, lease_ms, instance, rate, burst, bulk_allowed, std::nullopt)});
  return redis_.send_evals(std::move(calls));
}

std::expected<std::vector<Outbound>, std::string> JobStore::end_record_and_take(std::int64_t& wait_ms) {
  auto r = redis_.receive_evals();
  if (!r) return std::unexpected(r.error());
  if (r->empty() || r->back().type != Reply::Type::Array) return {};  // n was 0: a record alone
  return taken(r->back(), wait_ms);
}

std::expected<void, std::string> JobStore::record(const std::string& provider, const std::vector<Outcome>& outcomes,
                                                  const std::vector<std::string>& releases, bool map_ids) {
  if (outcomes.empty() && releases.empty()) return {};
  auto r = redis_.eval(record_script(), {key("inflight"), key("retry")},
                       record_args(p_, provider, outcomes, releases, map_ids));
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<long long, std::string> JobStore::recover(const std::string& instance, bool startup) {
  auto r = run(recover_script(), {key("inflight")}, {instance, startup ? "1" : "0"});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

std::expected<long long, std::string> JobStore::promote_retries() {
  auto r = run(promote_script(), {key("retry")}, {});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

std::expected<long long, std::string> JobStore::ready_depth(const std::string& provider) {
  long long total = 0;
  for (const char* prio : {"0", "1"}) {
    auto jobs = redis_.command({"ZRANGE", key("active:" + provider + ":" + prio), "0", "-1"});
    if (!jobs) return std::unexpected(jobs.error());
    std::vector<std::vector<std::string>> cmds;
    for (const auto& j : jobs->elements) cmds.push_back({"LLEN", key("lane:" + provider + ":" + j.text())});
    if (cmds.empty()) continue;
    auto lens = redis_.pipeline(cmds);
    if (!lens) return std::unexpected(lens.error());
    for (const auto& l : *lens) total += l.as_int();
  }
  return total;
}

std::expected<std::vector<ReportResult>, std::string> JobStore::apply_reports(const std::string& provider,
                                                                            const std::vector<ReportUpdate>& reports) {
  std::vector<ReportResult> results;
  if (reports.empty()) return results;
  std::vector<std::string> args{provider, std::to_string(reports.size())};
  args.reserve(2 + 4 * reports.size());
  for (const auto& r : reports) {
    args.push_back(r.ref);
    args.push_back(r.provider_id);
    args.push_back(r.state);
    args.push_back(r.error);
  }
  auto r = run(reports_script(), {}, std::move(args));
  if (!r) return std::unexpected(r.error());
  const auto& e = r->elements;
  if (e.size() != 2 * reports.size()) return std::unexpected("delivery reports: unexpected answer from Redis");
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) results.push_back({e[i].text(), e[i + 1].text()});
  return results;
}

namespace {
JobStatus status_of(const std::string& id, const Reply& hash) {
  JobStatus s;
  s.id = id;
  for (const char* st : kMessageStates) s.counts[st] = 0;
  const auto& e = hash.elements;
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    const std::string k = e[i].text();
    const Reply& v = e[i + 1];
    if (k == "state") s.state = v.text();
    else if (k == "reason") s.reason = v.text();
    else if (k == "template") s.template_name = v.text();
    else if (k == "wards") s.wards = v.text();
    else if (k == "total") s.total = v.as_int();
    else if (k == "created") s.created_ms = v.as_int();
    else if (k == "due") s.due_ms = v.as_int();
    else if (k == "finished") s.finished_ms = v.as_int();
    else if (k == "expanded_done") s.expanded = v.text() == "1";
    else if (k == "urgent") s.urgent = v.text() == "1";
    else if (k.rfind("c:", 0) == 0) s.counts[k.substr(2)] = v.as_int();
  }
  return s;
}
}  // namespace

std::expected<std::optional<JobStatus>, std::string> JobStore::status(const std::string& job) {
  auto r = redis_.command({"HGETALL", key("job:" + job)});
  if (!r) return std::unexpected(r.error());
  if (r->elements.empty()) return std::nullopt;
  return status_of(job, *r);
}

std::expected<std::vector<JobStatus>, std::string> JobStore::list(int limit, const std::string& ward) {
  std::vector<JobStatus> out;
  // One turn: read a page of the newest ids, keep those matching the ward filter.
  for (long long start = 0; static_cast<int>(out.size()) < limit; start += 200) {
    auto ids = redis_.command({"ZREVRANGE", key("index"), std::to_string(start), std::to_string(start + 199)});
    if (!ids) return std::unexpected(ids.error());
    if (ids->elements.empty()) break;
    std::vector<std::vector<std::string>> cmds;
    for (const auto& id : ids->elements) cmds.push_back({"HGETALL", key("job:" + id.text())});
    auto replies = redis_.pipeline(cmds);
    if (!replies) return std::unexpected(replies.error());
    for (size_t i = 0; i < replies->size() && static_cast<int>(out.size()) < limit; ++i) {
      auto s = status_of(ids->elements[i].text(), (*replies)[i]);
      if (!ward.empty()) {
        std::string wards = "," + s.wards + ",";
        if (wards.find("," + ward + ",") == std::string::npos) continue;
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::expected<std::optional<MessageRecord>, std::string> JobStore::message(const std::string& job, std::int64_t index) {
  auto r = redis_.pipeline({{"HGET", key("md:" + job), std::to_string(index)}, {"HGET", key("ms:" + job), std::to_string(index)}});
  if (!r) return std::unexpected(r.error());
  if ((*r)[0].nil()) return std::nullopt;
  return record_of(index, (*r)[0], (*r)[1]);
}

std::expected<void, std::string> JobStore::for_each_message(const std::string& job, std::int64_t total,
                                                            const std::function<void(const MessageRecord&)>& fn) {
  constexpr std::int64_t kBatch = 1000;
  for (std::int64_t first = 0; first < total; first += kBatch) {
    std::vector<std::string> data{"HMGET", key("md:" + job)}, state{"HMGET", key("ms:" + job)};
    std::int64_t last = std::min(total, first + kBatch);
    for (std::int64_t i = first; i < last; ++i) {
      data.push_back(std::to_string(i));
      state.push_back(data.back());
    }
    auto replies = redis_.pipeline({data, state});
    if (!replies) return std::unexpected(replies.error());
    const auto& d = (*replies)[0].elements;
    const auto& s = (*replies)[1].elements;
    if (d.size() != static_cast<size_t>(last - first) || s.size() != d.size())
      return std::unexpected("unexpected reply reading messages of job " + job);
    for (std::int64_t i = first; i < last; ++i) fn(record_of(i, d[static_cast<size_t>(i - first)], s[static_cast<size_t>(i - first)]));
  }
  return {};
}

std::expected<std::string, std::string> JobStore::cancel(const std::string& job) {
  std::string before;
  // The sweep runs in slices so Redis is never blocked for long; new rows written by a
  // racing expander see the job cancelled and are stored as cancelled.
  for (std::int64_t first = 0;; first += 1000) {
    auto st = status(job);
    if (!st) return std::unexpected(st.error());
    if (!*st) return std::string("none");
    auto r = run(cancel_script(), {key("job:" + job), key("due")}, {job, std::to_string(first), std::to_string(first + 1000)});
    if (!r) return std::unexpected(r.error());
    if (before.empty()) before = r->text();
    if (before == "done" || before == "rejected" || first + 1000 >= (*st)->total) break;
  }
  return before;
}

std::expected<long long, std::string> JobStore::requeue(const std::string& job, const std::string& state) {
  auto st = status(job);
  if (!st) return std::unexpected(st.error());
  if (!*st) return std::unexpected("no job " + job);
  long long total = 0;
  for (std::int64_t first = 0; first < (*st)->total; first += 1000) {
    auto r = run(requeue_script(), {key("job:" + job)}, {job, state, std::to_string(first), std::to_string(first + 1000)});
    if (!r) return std::unexpected(r.error());
    if (r->as_int() == -2) return std::unexpected("job " + job + " is " + (*st)->state + "; nothing can be resent");
    total += std::max(0LL, r->as_int());
  }
  return total;
}

std::expected<void, std::string> JobStore::optout_add(const std::string& digits, const std::string& reason) {
  nlohmann::json v{{"reason", reason}, {"at", util::now_ms()}};
  auto r = redis_.command({"HSET", key("optout"), digits, v.dump()});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<bool, std::string> JobStore::optout_remove(const std::string& digits) {
  auto r = redis_.command({"HDEL", key("optout"), digits});
  if (!r) return std::unexpected(r.error());
  return r->as_int() > 0;
}

std::expected<std::map<std::string, std::string>, std::string> JobStore::optout_list() {
  auto r = redis_.command({"HGETALL", key("optout")});
  if (!r) return std::unexpected(r.error());
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) out[r->elements[i].text()] = r->elements[i + 1].text();
  return out;
}

}  // namespace loa::store
