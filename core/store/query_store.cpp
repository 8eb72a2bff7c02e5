// Job queries: a job's status wherever it is, the lists of jobs, their messages, the
// gateways' state as the commands and the API read it.
#include "core/store/query_store.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::store {

namespace {
// The job JSON's "by" (who sent it), or "".
std::string sender_of(const nlohmann::json& j) {
  auto by = j.find("by");
  return by != j.end() && by->is_string() ? by->get<std::string>() : std::string();
}

JobStatus status_of(const std::string& id, const Reply& hash) {
  JobStatus s;
  s.id = id;
  const auto& e = hash.elements;
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    const std::string k = e[i].text();
    const Reply& v = e[i + 1];
    if (k == "state") s.state = jobs::job_state(v.text());
    else if (k == "reason") s.reason = v.text();
    else if (k == "template") s.template_name = v.text();
    else if (k == "wards") s.wards = v.text();
    else if (k == "total") s.total = v.as_int();
    else if (k == "created") s.created_ms = v.as_int();
    else if (k == "due") s.due_ms = v.as_int();
    else if (k == "finished") s.finished_ms = v.as_int();
    else if (k == "expanded_done") s.expanded = v.text() == "1";
    else if (k == "urgent") s.urgent = v.text() == "1";
    else if (k == "by") s.by = v.text();
    else if (k == "spec") s.spec_json = v.text();
    else if (k == "recipients") s.recipients = v.as_int();
    else if (k == "purged") s.purged_ms = v.as_int();
    else if (k == "approved_by" || k == "rejected_by") s.decided_by = v.text();
    else if (k.rfind("c:", 0) == 0) {
      if (auto st = jobs::message_state(std::string_view(k).substr(2)))
        s.counts[static_cast<std::size_t>(*st)] = v.as_int();
    }
  }
  return s;
}

}  // namespace

nlohmann::ordered_json status_json(const JobStatus& st) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (auto state : jobs::kMessageStates) counts[std::string(jobs::name(state))] = st.count(state);
  nlohmann::ordered_json j;
  j["id"] = st.id;
  j["state"] = st.state_name();
  j["total"] = st.total;
  j["counts"] = counts;
  if (!st.reason.empty()) j["reason"] = st.reason;
  if (!st.by.empty()) j["by"] = st.by;
  if (st.recipients) j["recipients"] = *st.recipients;
  return j;
}

nlohmann::ordered_json job_json(const JobStatus& st) {
  auto j = status_json(st);
  j["template"] = st.template_name;
  j["wards"] = st.wards;
  j["created"] = st.created_ms;
  if (st.due_ms) j["due"] = st.due_ms;
  if (st.finished_ms) j["finished"] = st.finished_ms;
  if (st.purged_ms) j["purged"] = st.purged_ms;
  j["expanded"] = st.expanded;
  j["urgent"] = st.urgent;
  if (!st.decided_by.empty()) j["decided_by"] = st.decided_by;
  if (st.details.is_object())
    for (const auto& [k, v] : st.details.items()) j[k] = v;
  return j;
}

std::expected<JobStatus, std::string> job_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::unexpected("a job must be a JSON object");
  JobStatus s;
  auto text = [&](const char* key, std::string& out, bool required) -> bool {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return !required;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto number = [&](const char* key, std::int64_t& out) -> bool {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_number_integer()) return false;
    out = it->get<std::int64_t>();
    return true;
  };
  std::string state;
  if (!text("id", s.id, true) || !text("state", state, true)) return std::unexpected("a job needs \"id\" and \"state\"");
  s.state = jobs::job_state(state);
  for (auto [key, out] : {std::pair{"reason", &s.reason}, {"template", &s.template_name}, {"wards", &s.wards},
                          {"by", &s.by}, {"decided_by", &s.decided_by}})
    if (!text(key, *out, false)) return std::unexpected(fmt::format("job {}: \"{}\" must be a string", s.id, key));
  for (auto [key, out] : {std::pair{"total", &s.total}, {"created", &s.created_ms}, {"due", &s.due_ms},
                          {"finished", &s.finished_ms}, {"purged", &s.purged_ms}})
    if (!number(key, *out)) return std::unexpected(fmt::format("job {}: \"{}\" must be a whole number", s.id, key));
  if (auto it = j.find("recipients"); it != j.end() && it->is_number_integer()) s.recipients = it->get<std::int64_t>();
  for (const char* key : {"waiting", "asked"})
    if (auto it = j.find(key); it != j.end() && it->is_object()) s.details[key] = *it;
  for (auto [key, out] : {std::pair{"expanded", &s.expanded}, {"urgent", &s.urgent}})
    if (auto it = j.find(key); it != j.end() && it->is_boolean()) *out = it->get<bool>();
  if (auto it = j.find("counts"); it != j.end() && it->is_object())
    for (const auto& [name, n] : it->items())
      if (auto st = jobs::message_state(name); st && n.is_number_integer())
        s.counts[static_cast<std::size_t>(*st)] = n.get<std::int64_t>();
  return s;
}

std::expected<std::optional<JobStatus>, std::string> QueryStore::find(const std::string& job) {
  auto st = status(job);
  if (!st || *st) return st;
  return submitted(job);  // not admitted yet: still in the stream?
}

std::expected<std::vector<JobStatus>, std::string> QueryStore::recent(int limit, const std::string& ward) {
  auto waiting = submitted_list(limit);
  if (!waiting) return std::unexpected(waiting.error());
  std::vector<JobStatus> out;
  for (auto& j : *waiting)
    if (ward.empty() || ("," + j.wards + ",").find("," + ward + ",") != std::string::npos) out.push_back(std::move(j));
  auto admitted = list(limit, ward);
  if (!admitted) return std::unexpected(admitted.error());
  for (auto& j : *admitted)
    if (static_cast<int>(out.size()) < limit) out.push_back(std::move(j));
  return out;
}

std::expected<std::optional<JobStatus>, std::string> QueryStore::status(const std::string& job) {
  auto r = redis_.command({"HGETALL", keys_.job(job)});
  if (!r) return std::unexpected(r.error());
  if (r->elements.empty()) return std::nullopt;
  return status_of(job, *r);
}

namespace {
// A stream entry as a submitted job: its id, and what its JSON says (when it parses).
JobStatus submitted_status(const Reply& entry) {
  JobStatus st;
  st.id = entry.elements.at(0).text();
  st.state = jobs::JobState::submitted;
  const auto& fields = entry.elements.at(1).elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].text() != "job") continue;
    st.spec_json = fields[i + 1].text();
    auto j = nlohmann::json::parse(st.spec_json, nullptr, false);
    if (!j.is_object()) break;
    if (auto t = j.find("template"); t != j.end() && t->is_string()) st.template_name = t->get<std::string>();
    st.by = sender_of(j);
    if (auto w = j.find("wards"); w != j.end() && w->is_array()) {
      std::vector<std::string> wards;
      for (const auto& x : *w)
        if (x.is_string()) wards.push_back(x.get<std::string>());
      st.wards = util::join(wards, ",");
    }
  }
  // The entry id's first part is when it was added.
  st.created_ms = std::strtoll(st.id.c_str(), nullptr, 10);
  return st;
}
}  // namespace

std::expected<std::optional<JobStatus>, std::string> QueryStore::submitted(const std::string& job) {
  // A whole id only: Redis reads "<ms>" alone as a range, whose first entry would be
  // another job's (a stale view of one already admitted under "<ms>-0").
  const auto dash = job.find('-');
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (dash == std::string::npos || !digits(std::string_view(job).substr(0, dash)) ||
      !digits(std::string_view(job).substr(dash + 1)))
    return std::nullopt;
  auto r = redis_.command({"XRANGE", keys_.jobs(), job, job, "COUNT", "1"});
  if (!r) {
    if (r.error().find("Invalid stream ID") != std::string::npos) return std::nullopt;
    return std::unexpected(r.error());
  }
  if (r->elements.empty() || r->elements[0].elements.empty() || r->elements[0].elements[0].text() != job)
    return std::nullopt;
  return submitted_status(r->elements[0]);
}

std::expected<std::vector<JobStatus>, std::string> QueryStore::submitted_list(int limit) {
  std::vector<JobStatus> out;
  auto r = redis_.command({"XREVRANGE", keys_.jobs(), "+", "-", "COUNT", std::to_string(std::max(limit, 1))});
  if (!r) return std::unexpected(r.error());
  std::vector<std::vector<std::string>> cmds;
  for (const auto& e : r->elements) cmds.push_back({"EXISTS", keys_.job(e.elements.at(0).text())});
  if (cmds.empty()) return out;
  auto exists = redis_.pipeline(cmds);
  if (!exists) return std::unexpected(exists.error());
  for (std::size_t i = 0; i < exists->size(); ++i)
    if ((*exists)[i].integer == 0) out.push_back(submitted_status(r->elements[i]));
  return out;
}

std::expected<std::array<std::int64_t, jobs::kJobStates.size()>, std::string> QueryStore::job_counts() {
  auto r = redis_.command({"HGETALL", keys_.jobstates()});
  if (!r) return std::unexpected(r.error());
  std::array<std::int64_t, jobs::kJobStates.size()> out{};
  const auto& e = r->elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2)
    if (auto st = jobs::job_state(e[i].text())) out[static_cast<std::size_t>(*st)] = e[i + 1].as_int();
  return out;
}

std::expected<long long, std::string> QueryStore::count_jobs_if_missing() {
  auto r = run(scripts::Id::count_jobs, {keys_.index()}, {});
  if (!r) return std::unexpected(r.error());
  return r->as_int();
}

std::expected<std::optional<QueryStore::Pause>, std::string> QueryStore::paused(const std::string& provider) {
  auto reason = redis_.command({"GET", keys_.paused(provider)});
  if (!reason) return std::unexpected(reason.error());
  if (reason->nil()) return std::nullopt;
  auto left = redis_.command({"PTTL", keys_.paused(provider)});
  if (!left) return std::unexpected(left.error());
  return Pause{reason->text(), std::max<std::int64_t>(0, left->as_int())};
}

std::expected<std::optional<std::int64_t>, std::string> QueryStore::gateway_idle_ms() {
  auto r = redis_.command({"XINFO", "CONSUMERS", keys_.jobs(), "gw"});
  if (!r) {
    // No stream or no group yet: no gateway has ever read it.
    if (r.error().find("no such key") != std::string::npos || r.error().find("NOGROUP") != std::string::npos)
      return std::nullopt;
    return std::unexpected(r.error());
  }
  std::optional<std::int64_t> least;
  for (const auto& consumer : r->elements)
    for (std::size_t i = 0; i + 1 < consumer.elements.size(); i += 2)
      if (consumer.elements[i].text() == "idle") {
        const std::int64_t idle = consumer.elements[i + 1].integer;
        if (!least || idle < *least) least = idle;
      }
  return least;
}

std::expected<std::vector<JobStatus>, std::string> QueryStore::list(int limit, const std::string& ward) {
  std::vector<JobStatus> out;
  // One turn: read a page of the newest ids, keep those matching the ward filter.
  for (long long start = 0; static_cast<int>(out.size()) < limit; start += 200) {
    auto ids = redis_.command({"ZREVRANGE", keys_.index(), std::to_string(start), std::to_string(start + 199)});
    if (!ids) return std::unexpected(ids.error());
    if (ids->elements.empty()) break;
    std::vector<std::vector<std::string>> cmds;
    for (const auto& id : ids->elements) cmds.push_back({"HGETALL", keys_.job(id.text())});
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

std::expected<void, std::string> QueryStore::for_each_message(const std::string& job, std::int64_t total,
                                                              const std::function<void(const MessageRecord&)>& fn) {
  return scan_messages(job, total, 0, [&](const MessageRecord& m) {
    fn(m);
    return true;
  });
}

std::expected<void, std::string> QueryStore::scan_messages(const std::string& job, std::int64_t total, std::int64_t from,
                                                           const std::function<bool(const MessageRecord&)>& fn) {
  auto ep = redis_.command({"HGET", keys_.job(job), "epoch"});
  if (!ep) return std::unexpected(ep.error());
  const std::int64_t epoch = ep->as_int();
  // A slice of whole buckets at a time: their progress, and the data chunks they cover.
  constexpr std::int64_t kBatch = 8 * kBucketSize;
  static_assert(kBatch % kChunkSize == 0);
  std::vector<std::vector<std::string>> cmds;
  // From the bucket holding `from` (a batch starts on a bucket's first message).
  for (std::int64_t first = std::max<std::int64_t>(0, from) / kBucketSize * kBucketSize; first < total; first += kBatch) {
    const std::int64_t last = std::min(total, first + kBatch);
    cmds.clear();
    cmds.push_back({"HMGET", keys_.md(job)});
    for (std::int64_t c = chunk_of(first); c <= chunk_of(last - 1); ++c) cmds[0].push_back(std::to_string(c));
    for (std::int64_t i = first; i < last; ++i) {
      if (i % kBucketSize == 0)  // first is a bucket's first message
        cmds.push_back({"HMGET", keys_.ms(job, bucket_of(i))});
      cmds.back().push_back(std::to_string(i));
    }
    auto replies = redis_.pipeline(cmds);
    if (!replies) return std::unexpected(replies.error());
    if (replies->size() != cmds.size()) return std::unexpected("unexpected reply reading messages of job " + job);
    const auto& chunks = (*replies)[0].elements;
    std::optional<std::vector<MessageData>> data;
    std::int64_t data_chunk = -1;
    for (std::int64_t i = first; i < last; ++i) {
      MessageRecord m;
      m.index = i;
      const auto c = static_cast<std::size_t>(chunk_of(i) - chunk_of(first));
      if (chunk_of(i) != data_chunk) {
        data_chunk = chunk_of(i);
        data = c < chunks.size() ? unpack_chunk(chunks[c].str) : std::nullopt;
      }
      const auto k = static_cast<std::size_t>(i % kChunkSize);
      if (data && k < data->size()) m.data = std::move((*data)[k]);
      const auto& bucket = (*replies)[static_cast<std::size_t>(1 + bucket_of(i) - bucket_of(first))].elements;
      const auto at = static_cast<std::size_t>(i % kBucketSize);
      if (at < bucket.size()) m.progress = unpack_progress(bucket[at].str, epoch);
      if (i >= from && !fn(m)) return {};
    }
  }
  return {};
}

}  // namespace loa::store
