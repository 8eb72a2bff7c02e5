// Job planning: validation and streaming expansion of resident rows into messages.
#include "core/util/strings.h"
#include "core/jobs/planner.h"

#include "core/calendar/holidays.h"
#include "core/jobs/seen_numbers.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>

#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/log.h"
#include "core/util/time.h"
#include "core/wards/resident_list.h"

namespace loa::jobs {

std::vector<std::string> template_names(const config::Config& cfg) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cfg.templates_dir, ec))
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> configured_wards(const config::Config& cfg) {
  std::vector<std::string> ids;
  for (const auto& [id, _] : cfg.wards) ids.push_back(id);
  return ids;
}

std::vector<std::string> ward_ids(const config::Config& cfg) {
  std::set<std::string> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cfg.wards_dir, ec))
    if (wards::list_extension(e.path().extension().string()) && config::valid_id(e.path().stem().string()))
      ids.insert(e.path().stem().string());
  return {ids.begin(), ids.end()};
}

std::expected<std::map<std::string, std::shared_ptr<const text::MessageTemplate>>, std::vector<std::string>>
load_templates(const config::Config& cfg) {
  std::vector<std::string> errors;
  std::set<std::string> columns;
  for (const auto& w : ward_ids(cfg))
    if (auto reader = wards::ResidentReader::open(wards::ward_path(cfg.wards_dir, w), cfg.carriers))
      columns.insert((*reader)->extra_columns().begin(), (*reader)->extra_columns().end());
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cfg.templates_dir, ec))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  if (ec) errors.push_back(i18n::trf("{}: cannot read templates_dir: {}", cfg.templates_dir, ec.message()));
  std::sort(files.begin(), files.end());
  std::map<std::string, std::shared_ptr<const text::MessageTemplate>> out;
  for (const auto& f : files) {
    std::string name = f.stem().string();
    if (!config::valid_id(name)) {
      errors.push_back(i18n::trf("{}: template names must be lower-case letters, digits and hyphens", f.string()));
      continue;
    }
    auto t = text::MessageTemplate::load(cfg.templates_dir, name, columns);
    if (!t) errors.insert(errors.end(), t.error().begin(), t.error().end());
    else out.emplace(name, std::make_shared<const text::MessageTemplate>(std::move(*t)));
  }
  if (!errors.empty()) return std::unexpected(errors);
  return out;
}

std::expected<Planner, std::vector<std::string>> Planner::create(
    const config::Config& cfg, JobSpec spec,
    const std::map<std::string, std::shared_ptr<const text::MessageTemplate>>* preloaded) {
  std::vector<std::string> errors;
  if (!config::valid_id(spec.template_name)) {
    errors.push_back(i18n::trf("template name \"{}\" must be lower-case letters, digits and hyphens", spec.template_name));
    return std::unexpected(errors);
  }
  std::set<std::string> columns;
  for (const auto& w : spec.wards) {
    if (!config::valid_id(w)) {
      errors.push_back(i18n::trf("ward id \"{}\" must be lower-case letters, digits and hyphens", w));
      continue;
    }
    auto path = wards::find_list(cfg.wards_dir, w);
    if (!path) {
      errors.push_back(path.error());
      continue;
    }
    auto reader = wards::ResidentReader::open(*path, cfg.carriers);
    if (!reader) {
      errors.push_back(reader.error());
      continue;
    }
    columns.insert((*reader)->extra_columns().begin(), (*reader)->extra_columns().end());
  }
  if (!errors.empty()) return std::unexpected(errors);
  std::expected<text::MessageTemplate, std::vector<std::string>> t = std::unexpected(std::vector<std::string>{});
  if (preloaded) {
    auto it = preloaded->find(spec.template_name);
    if (it == preloaded->end())
      return std::unexpected(std::vector<std::string>{i18n::trf(
          "unknown template \"{}\" (templates are loaded at start-up and on SIGHUP)", spec.template_name)});
    t = *it->second;
  } else {
    t = text::MessageTemplate::load(cfg.templates_dir, spec.template_name, columns);
  }
  if (!t) return std::unexpected(t.error());
  for (const auto& v : t->variables())
    if (!spec.vars.count(v))
      errors.push_back(i18n::trf("template \"{}\" needs variable \"{}\" (--var {}=...)", spec.template_name, v, v));
  // A variable the template does not take is a typo more often than not ("dia_dem" for
  // "dia_diem"): refused on every road, with the name it was probably meant to be.
  std::vector<std::string> usable(t->variables().begin(), t->variables().end());
  for (const auto& n : t->names()) usable.push_back(n);
  for (const auto& [k, _] : spec.vars)
    if (std::find(usable.begin(), usable.end(), k) == usable.end()) {
      std::string e = i18n::trf("unknown --var \"{}\"", util::loggable(k, 64));
      if (auto guess = util::did_you_mean(k, usable)) e += i18n::trf("; did you mean \"{}\"?", *guess);
      errors.push_back(e + fmt::format(" ({})", i18n::trf("template \"{}\" takes: {}", t->name(),
                                                          t->variables().empty() ? i18n::tr("none")
                                                                                 : util::join(t->variables(), ", "))));
    }
  // A column the template uses must exist in every chosen ward, not just one of them: a
  // list without it would render a blank ("tại Hội trường UBND ()").
  for (const auto& w : spec.wards) {
    auto reader = wards::ResidentReader::open(wards::ward_path(cfg.wards_dir, w), cfg.carriers);
    if (!reader) continue;  // reported above
    std::set<std::string> have((*reader)->extra_columns().begin(), (*reader)->extra_columns().end());
    for (const auto& col : (*reader)->row_names()) have.insert(col);
    std::set<std::string> needed = t->column_names();
    for (const auto& col : wards::ResidentReader::optional_row_names())
      if (t->names().count(col)) needed.insert(col);
    for (const auto& col : needed)
      if (!have.count(col) && !spec.vars.count(col))
        errors.push_back(i18n::trf("template \"{}\" uses {{{{{}}}}}, but the list of ward \"{}\" ({}) has no such column",
                                     spec.template_name, col, w, (*reader)->path()));
    if (spec.on_date && !have.count(spec.on_date->column))
      errors.push_back(i18n::trf("the list of ward \"{}\" ({}) has no column {} to read residents' dates from", w,
                                 (*reader)->path(), spec.on_date->column));
  }
  Planner p(cfg, std::move(spec), std::move(*t));
  for (auto& [k, v] : p.spec_.vars) v = text::nfc(v);
  if (!errors.empty()) return std::unexpected(errors);
  return p;
}

std::expected<void, std::string> Planner::for_each(const std::set<std::string>& opted_out, const Visitor& visit,
                                                   std::int64_t from) const {
  std::set<std::string> areas, tags;
  for (const auto& a : spec_.areas) areas.insert(text::fold_key(a));
  for (const auto& t : spec_.tags) tags.insert(text::fold_key(t));
  const std::optional<calendar::Date> on_date =
      spec_.on_date ? calendar::read_office_date(spec_.on_date->date) : std::nullopt;
  // Numbers already given a message in this job, with where they were: a repeat names the
  // earlier row, so a household's shared phone and a copy-paste mistake can be told apart.
  SeenNumbers seen(spill_dir_);
  std::uint32_t ward_index = 0;
  std::int64_t index = 0;
  const int limit = template_.max_segments();
  // One turn per ward, then per row: filter, check the number, render, hand over.
  for (const auto& ward : spec_.wards) {
    const std::uint32_t this_ward = ward_index++;
    auto reader = wards::ResidentReader::open(wards::ward_path(cfg_->wards_dir, ward), cfg_->carriers);
    if (!reader) return std::unexpected(reader.error());
    const config::Ward unit = cfg_->ward(ward);
    // Precedence: the job's variables, then the built-in names, then the list's columns.
    const auto& kRowNames = text::builtin_names();
    const auto& used = template_.names();
    auto per_row = [&](const std::string& k) { return used.count(k) > 0 && !spec_.vars.count(k); };
    text::MessageTemplate::Vars vars{
        {"ten_phuong", unit.name}, {"don_vi", unit.kind_word()}, {"ten_don_vi", unit.in_text()}, {"ward", ward}};
    for (const auto& [k, v] : spec_.vars) vars[k] = v;
    // Where each row's values go: the variables the template uses and the job does not
    // set (map nodes stay put, so these are looked up once per ward).
    auto slot = [&](const std::string& k) { return per_row(k) ? &vars[k] : nullptr; };
    std::string *name_slot = slot("ho_ten"), *phone_slot = slot("so_dien_thoai"), *area_slot = slot("khom_ap"),
                *tags_slot = slot("nhom");
    // The list's own numbering (an "STT" column), kept for the report.
    int stt_column = -1;
    for (std::size_t i = 0; i < (*reader)->extra_columns().size(); ++i)
      if ((*reader)->extra_columns()[i] == "stt") stt_column = static_cast<int>(i);
    // The column of residents' own dates (on_date): only the rows holding that day go.
    int date_column = -1;
    if (on_date)
      for (std::size_t i = 0; i < (*reader)->extra_columns().size(); ++i)
        if ((*reader)->extra_columns()[i] == spec_.on_date->column) date_column = static_cast<int>(i);
    std::vector<std::string*> extra_slot;  // by the list's extra columns, in their order
    for (const auto& k : (*reader)->extra_columns()) extra_slot.push_back(kRowNames.count(k) ? nullptr : slot(k));
    // The row and the message are reused from row to row, so their strings keep their buffers.
    wards::Resident r;
    PlannedMessage m;
    while ((*reader)->next(r)) {
      if (on_date) {
        const auto d = date_column >= 0 && static_cast<std::size_t>(date_column) < r.extra.size()
                           ? calendar::read_office_date(r.extra[static_cast<std::size_t>(date_column)].second)
                           : std::nullopt;
        if (!d || *d != *on_date) continue;
      }
      if (!areas.empty() && !areas.count(text::fold_key(r.area))) continue;
      if (!tags.empty()) {
        bool any = false;
        for (const auto& t : r.tags) any |= tags.count(text::fold_key(t)) > 0;
        if (!any) continue;
      }
      m.index = index++;
      m.ward.assign(ward);
      m.row = r.row;
      m.name.assign(r.name);
      m.area.assign(r.area);
      m.stt.clear();
      if (stt_column >= 0 && static_cast<std::size_t>(stt_column) < r.extra.size()) m.stt.assign(r.extra[static_cast<std::size_t>(stt_column)].second);
      m.phone.assign(r.phone ? r.phone->local : r.phone_raw);
      m.carrier.clear();
      m.text.clear();
      m.segments = {};
      m.skip_reason.clear();
      m.fail_reason.clear();
      if (r.phone) {
        m.carrier.assign(r.phone->carrier);
        auto earlier = seen.insert(r.phone->digits, {this_ward, static_cast<std::uint32_t>(r.row)});
        if (!seen.fault().empty()) return std::unexpected(seen.fault());
        if (earlier)
          m.skip_reason = earlier->ward == this_ward
                              ? fmt::format("repeat of row {}", earlier->row)
                              : fmt::format("repeat of row {} of {}", earlier->row, spec_.wards[earlier->ward]);
        else if (opted_out.count(r.phone->digits)) m.skip_reason = "opted out";
      } else {
        m.skip_reason = r.problem;
      }
      if (m.index < from) continue;
      if (m.skip_reason.empty()) {
        // Only what the template uses and the job does not set changes from row to row
        // (the job's variables and the ward's were set above); the same keys every row,
        // so the map's nodes are reused rather than rebuilt.
        for (size_t i = 0; i < r.extra.size() && i < extra_slot.size(); ++i)
          if (extra_slot[i]) extra_slot[i]->assign(r.extra[i].second);
        if (name_slot) name_slot->assign(r.name);
        if (phone_slot) phone_slot->assign(r.phone->local);
        if (area_slot) area_slot->assign(r.area);
        if (tags_slot) *tags_slot = util::join(r.tags, ", ");
        template_.render_to(vars, m.text);
        m.segments = text::count_segments(m.text);
        if (limit > 0 && m.segments.segments > limit)
          m.fail_reason = fmt::format(fmt::runtime(kTooManySegments), m.segments.segments, limit);
      }
      if (!visit(m)) return {};
    }
    if (!(*reader)->fault().empty()) return std::unexpected((*reader)->fault());
  }
  return {};
}

std::optional<std::string> approval_reason(const config::Config& cfg, const JobSpec& spec,
                                           std::optional<std::int64_t> recipients) {
  const auto& policy = cfg.approval;
  std::vector<std::string> why;
  if (policy.urgent && spec.urgent) why.emplace_back(kHeldUrgent);
  if (policy.all_wards && cfg.wards.size() >= 2) {
    bool every = true;
    for (const auto& [id, ward] : cfg.wards)
      every = every && std::find(spec.wards.begin(), spec.wards.end(), id) != spec.wards.end();
    if (every) why.emplace_back(kHeldEveryWard);
  }
  if (policy.over_recipients && recipients && *recipients > *policy.over_recipients)
    why.push_back(fmt::format(fmt::runtime(kHeldOverRecipients), *recipients, *policy.over_recipients));
  if (why.empty()) return std::nullopt;
  return util::join(why, "; ");
}

std::expected<std::optional<std::string>, std::string> approval_reason(const config::Config& cfg, const Planner& plan,
                                                                       std::optional<std::int64_t>& recipients) {
  if (cfg.approval.over_recipients) {
    std::int64_t n = 0;
    auto counted = plan.for_each({}, [&](const PlannedMessage& m) {
      if (m.skip_reason.empty() && m.fail_reason.empty()) ++n;
      return true;
    });
    if (!counted) return std::unexpected(counted.error());
    recipients = n;
  }
  return approval_reason(cfg, plan.spec(), recipients);
}

std::expected<PlanWalk, std::string> walk(const Planner& plan, const std::set<std::string>& opted_out, int limit,
                                          const config::Pricing& pricing) {
  PlanWalk w;
  auto ok = plan.for_each(opted_out, [&](const PlannedMessage& m) {
    ++w.totals.rows;
    if (!m.skip_reason.empty()) {
      ++w.totals.skipped;
      w.skipped.push_back(m);
      return true;
    }
    ++w.totals.messages;
    w.totals.segments += m.segments.segments;
    w.totals.cost += m.segments.segments * pricing.per_segment(m.carrier, m.segments.unicode);
    w.totals.unicode += m.segments.unicode ? 1 : 0;
    if (!m.fail_reason.empty()) {
      ++w.totals.too_long;
      if (w.too_long.size() < 20) w.too_long.push_back(m);
    }
    if (static_cast<int>(w.shown.size()) < limit) w.shown.push_back(m);
    return true;
  });
  if (!ok) return std::unexpected(ok.error());
  return w;
}

const char* encoding_name(bool unicode) { return unicode ? "UCS-2" : "GSM-7"; }

nlohmann::json preview_json(const PlanWalk& w, const text::MessageTemplate& t, const config::Pricing& pricing) {
  using nlohmann::json;
  json out;
  out["template"] = t.name();
  out["description"] = t.description();
  out["encoding"] = t.encoding() == text::Encoding::Ascii ? "ascii" : "unicode";
  out["max_segments"] = t.max_segments();
  out["messages"] = json::array();
  for (const auto& m : w.shown)
    out["messages"].push_back({{"ward", m.ward}, {"row", m.row}, {"name", m.name}, {"phone", util::mask_phone(m.phone)},
                               {"text", m.text}, {"encoding", encoding_name(m.segments.unicode)},
                               {"segments", m.segments.segments}, {"error", m.fail_reason}});
  out["skipped"] = json::array();
  for (const auto& m : w.skipped)
    out["skipped"].push_back({{"ward", m.ward}, {"row", m.row}, {"name", m.name}, {"reason", m.skip_reason}});
  out["totals"] = {{"rows", w.totals.rows}, {"messages", w.totals.messages}, {"skipped", w.totals.skipped},
                   {"segments", w.totals.segments}, {"ucs2", w.totals.unicode}, {"over_limit", w.totals.too_long}};
  if (pricing.configured) out["totals"]["cost"] = {{"amount", w.totals.cost}, {"currency", pricing.currency}};
  return out;
}

nlohmann::json templates_json(const std::map<std::string, std::shared_ptr<const text::MessageTemplate>>& templates) {
  auto out = nlohmann::json::array();
  for (const auto& [name, t] : templates)
    out.push_back({{"name", name},
                   {"description", t->description()},
                   {"variables", t->variables()},
                   {"encoding", t->encoding() == text::Encoding::Ascii ? "ascii" : "unicode"},
                   {"max_segments", t->max_segments()}});
  return out;
}

nlohmann::json send_summary(const JobSpec& spec, const PlanWalk& w, const config::Pricing& pricing) {
  using nlohmann::json;
  return {{"template", spec.template_name},
          {"wards", spec.wards},
          {"recipients", w.totals.messages},
          {"segments", w.totals.segments},
          {"cost", pricing.configured ? json(w.totals.cost) : json(nullptr)},
          {"currency", pricing.currency},
          {"urgent", spec.urgent}};
}

}  // namespace loa::jobs
