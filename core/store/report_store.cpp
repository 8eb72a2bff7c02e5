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
  const auto& e = r->elements;
  if (e.size() != 2 * reports.size()) return std::unexpected("delivery reports: unexpected answer from Redis");
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    const std::string effect = e[i].text();
    ReportEffect fx = ReportEffect::unknown;
    for (std::size_t k = 0; k < std::size(kReportEffectNames); ++k)
      if (kReportEffectNames[k] == effect) fx = static_cast<ReportEffect>(k);
    results.push_back({fx, e[i + 1].text()});
  }
  return results;
}

}  // namespace loa::store
