// Applying delivery reports.
#include "core/store/report_store.h"

#include <charconv>
#include <map>
#include <utility>

#include "core/store/codec.h"

namespace loa::store {

namespace {

// A report's ref split as <job>.<index>: the index's digits as the ref wrote them (the
// progress field is looked up as written) and its value (for the bucket).
struct SplitRef {
  std::string_view job, digits;
  std::int64_t index = 0;
};
std::optional<SplitRef> split_ref(std::string_view ref) {
  const auto dot = ref.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == ref.size()) return std::nullopt;
  SplitRef s{ref.substr(0, dot), ref.substr(dot + 1)};
  const char* end = s.digits.data() + s.digits.size();
  auto [p, ec] = std::from_chars(s.digits.data(), end, s.index);
  if (ec != std::errc() || p != end || s.index < 0) return std::nullopt;
  return s;
}

ReportEffect effect_of(char letter) {
  switch (letter) {
    case 'a': return ReportEffect::applied;
    case 'd': return ReportEffect::duplicate;
    case 'f': return ReportEffect::foreign;
    default: return ReportEffect::unknown;
  }
}

}  // namespace

std::expected<std::vector<ReportResult>, std::string> ReportStore::apply(const std::string& provider,
                                                                         const std::vector<ReportUpdate>& reports) {
  std::vector<ReportResult> results(reports.size());
  if (reports.empty()) return results;
  // The reports that name their message, grouped by job and progress bucket here so that
  // the script parses and groups nothing (it runs for every message reported); a ref that
  // is not <job>.<index> is unknown without asking. Those named by the provider's id are
  // looked up by the script.
  struct Block {
    std::string_view job;
    std::int64_t bucket;
    std::vector<std::pair<std::size_t, std::string_view>> reports;  // position, index digits
  };
  std::vector<Block> blocks;
  std::map<std::pair<std::string_view, std::int64_t>, std::size_t> block_of;
  std::vector<std::size_t> by_id;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    results[i].ref = r.ref;
    if (r.ref.empty()) {
      by_id.push_back(i);
      continue;
    }
    auto s = split_ref(r.ref);
    if (!s) continue;  // unknown
    const std::int64_t bucket = bucket_of(s->index);
    std::size_t b;
    if (!blocks.empty() && blocks.back().job == s->job && blocks.back().bucket == bucket) {
      b = blocks.size() - 1;  // the usual case: reports of neighbouring messages
    } else if (auto [it, fresh] = block_of.try_emplace({s->job, bucket}, blocks.size()); fresh) {
      b = blocks.size();
      blocks.push_back({s->job, bucket, {}});
    } else {
      b = it->second;
    }
    blocks[b].reports.emplace_back(i, s->digits);
  }
  std::vector<std::string> args{provider, std::to_string(blocks.size())};
  args.reserve(3 + 3 * blocks.size() + 3 * reports.size());
  std::vector<std::size_t> order;  // the script's letters, in its order -> position
  order.reserve(reports.size());
  for (const auto& b : blocks) {
    args.emplace_back(b.job);
    args.push_back(std::to_string(b.bucket));
    args.push_back(std::to_string(b.reports.size()));
    for (const auto& [i, digits] : b.reports) {
      args.emplace_back(digits);
      args.emplace_back(jobs::name(reports[i].state));
      args.push_back(reports[i].error);
      order.push_back(i);
    }
  }
  args.push_back(std::to_string(by_id.size()));
  for (std::size_t i : by_id) {
    args.push_back(reports[i].provider_id);
    args.emplace_back(jobs::name(reports[i].state));
    args.push_back(reports[i].error);
    order.push_back(i);
  }
  if (order.empty()) return results;  // nothing Redis could know
  auto r = run(scripts::Id::apply_reports, {}, std::move(args));
  if (!r) return std::unexpected(r.error());
  // One letter per report sent, then the refs found for those named by the provider's id.
  const auto& e = r->elements;
  const std::string codes = e.empty() ? std::string() : e[0].text();
  if (codes.size() != order.size() || e.size() != 1 + by_id.size())
    return std::unexpected("delivery reports: unexpected answer from Redis");
  for (std::size_t p = 0; p < order.size(); ++p) results[order[p]].effect = effect_of(codes[p]);
  for (std::size_t q = 0; q < by_id.size(); ++q) results[by_id[q]].ref = e[1 + q].text();
  return results;
}

}  // namespace loa::store
