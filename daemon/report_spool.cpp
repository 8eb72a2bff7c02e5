// Delivery reports on local disk while Redis is away.
#include "daemon/report_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace loa::daemon {

namespace {
std::size_t size_of(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}
bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}
}  // namespace

ReportSpool::ReportSpool(std::string dir, std::size_t max_bytes)
    : dir_(dir), path_(dir + "/dlr-spool.jsonl"), applying_(dir + "/dlr-spool.applying"), max_bytes_(max_bytes) {}

std::expected<void, std::string> ReportSpool::store(const std::string& provider,
                                                    const std::vector<store::ReportUpdate>& reports) {
  nlohmann::json line{{"provider", provider}, {"reports", nlohmann::json::array()}};
  for (const auto& r : reports) line["reports"].push_back({r.ref, r.provider_id, jobs::name(r.state), r.error});
  const std::string bytes = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mu_);
  if (size_of(path_) + size_of(applying_) + bytes.size() > max_bytes_)
    return std::unexpected(fmt::format("the report spool {} is full ({} MiB)", path_, max_bytes_ >> 20));
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);  // the state folder, made on first need
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return std::unexpected(fmt::format("{}: {}", path_, std::strerror(errno)));
  const ssize_t n = ::write(fd, bytes.data(), bytes.size());
  const int saved = errno;
  const bool durable = n == static_cast<ssize_t>(bytes.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!durable) {
    if (n > 0 && n < static_cast<ssize_t>(bytes.size())) (void)::truncate(path_.c_str(), static_cast<off_t>(size_of(path_) - static_cast<std::size_t>(n)));
    return std::unexpected(fmt::format("{}: {}", path_, std::strerror(n < 0 ? saved : errno ? errno : EIO)));
  }
  return {};
}

bool ReportSpool::pending() const {
  std::lock_guard lock(mu_);
  return size_of(path_) > 0 || exists(applying_);
}

std::expected<std::size_t, std::string> ReportSpool::drain(const Apply& apply) {
  std::lock_guard one(draining_);
  {
    // What an earlier drain left is applied first; else the spool is taken whole.
    std::lock_guard lock(mu_);
    if (!exists(applying_)) {
      if (size_of(path_) == 0) return 0;
      if (::rename(path_.c_str(), applying_.c_str()) != 0)
        return std::unexpected(fmt::format("{}: {}", path_, std::strerror(errno)));
    }
  }
  std::ifstream in(applying_);
  if (!in) return std::unexpected(fmt::format("{}: cannot be read", applying_));
  std::size_t applied = 0, line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    auto j = nlohmann::json::parse(line, nullptr, false);
    std::vector<store::ReportUpdate> reports;
    bool ok = j.is_object() && j.contains("provider") && j["provider"].is_string() && j.contains("reports") &&
              j["reports"].is_array();
    if (ok)
      for (const auto& r : j["reports"]) {
        if (!r.is_array() || r.size() != 4 || !r[0].is_string() || !r[1].is_string() || !r[2].is_string() || !r[3].is_string()) {
          ok = false;
          break;
        }
        auto state = jobs::message_state(r[2].get<std::string>());
        if (!state) {
          ok = false;
          break;
        }
        reports.push_back({r[0].get<std::string>(), r[1].get<std::string>(), *state, r[3].get<std::string>()});
      }
    if (!ok) {  // a line cut short by a crash while it was written: nothing to apply
      spdlog::warn("report spool {}:{}: not a stored request: skipped", applying_, line_no);
      continue;
    }
    if (auto done = apply(j["provider"].get<std::string>(), reports); !done) return std::unexpected(done.error());
    ++applied;
  }
  std::lock_guard lock(mu_);
  ::unlink(applying_.c_str());
  return applied;
}

}  // namespace loa::daemon
