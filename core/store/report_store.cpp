// Applying delivery reports.
#include "core/store/report_store.h"

#include <iterator>

namespace loa::store {

std::expected<std::vector<ReportResult>, std::string> ReportStore::apply(const std::string& provider,
                                                                         const std::vector<ReportUpdate>& reports) {
  std::vector<ReportResult> results;
  if (reports.empty()) return results;
  std::vector<std::string> args{provider, std::to_string(reports.size())};
  args.reserve(2 + 4 * reports.size());
  for (const auto& r : reports) {
    args.push_back(r.ref);
    args.push_back(r.provider_id);
    args.emplace_back(jobs::name(r.state));
    args.push_back(r.error);
  }
  auto r = run(scripts::Id::apply_reports, {}, std::move(args));
  if (!r) return std::unexpected(r.error());
  // One letter per report, then the refs found for those named by the provider's id.
  const auto& e = r->elements;
  const std::string codes = e.empty() ? std::string() : e[0].text();
  std::size_t looked_up = 0;
  for (const auto& u : reports) looked_up += u.ref.empty();
  if (codes.size() != reports.size() || e.size() != 1 + looked_up)
    return std::unexpected("delivery reports: unexpected answer from Redis");
  results.reserve(reports.size());
  std::size_t next_found = 1;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    ReportEffect fx = ReportEffect::unknown;
    switch (codes[i]) {
      case 'a': fx = ReportEffect::applied; break;
      case 'd': fx = ReportEffect::duplicate; break;
      case 'f': fx = ReportEffect::foreign; break;
      default: break;
    }
    results.push_back({fx, reports[i].ref.empty() ? e[next_found++].text() : reports[i].ref});
  }
  return results;
}

}  // namespace loa::store
