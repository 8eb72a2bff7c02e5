// The file provider.
#include "providers/file_provider.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/util/yaml_reader.h"
#include "core/util/time.h"

namespace loa::providers {

namespace {
class FileProvider final : public Provider {
 public:
  FileProvider(std::string name, std::string path) : name_(std::move(name)), path_(std::move(path)) {}
  const std::string& name() const override { return name_; }
  bool reports_by_provider_id() const override { return false; }

  std::optional<std::expected<Accepted, ProviderError>> send_local(const Message& m) override {
    nlohmann::json line{{"ref", m.ref}, {"to", m.to_digits}, {"text", m.text}, {"unicode", m.unicode}, {"at", util::now_ms()}};
    std::string text = line.dump() + "\n";
    std::lock_guard lock(mu_);
    if (fd_ < 0) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
      if (fd_ < 0)
        return std::unexpected(
            ProviderError{ErrorKind::Transient, "cannot open outbox " + path_ + ": " + std::strerror(errno), std::nullopt});
    }
    // The whole line or nothing: a short write (a full disk) is cut back off, so the outbox
    // holds no torn line, and the message fails (to be retried) rather than counting as
    // delivered.
    const off_t before = ::lseek(fd_, 0, SEEK_END);
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        std::string why = n < 0 ? std::strerror(errno) : "nothing written";
        if (done > 0 && (before < 0 || ::ftruncate(fd_, before) != 0)) why += "; the partial line could not be removed";
        return std::unexpected(ProviderError{ErrorKind::Transient, "cannot write outbox " + path_ + ": " + why, std::nullopt});
      }
      done += static_cast<std::size_t>(n);
    }
    return Accepted{m.ref, true};
  }
  std::expected<HttpRequest, ProviderError> build_request(const Message&) override {
    return std::unexpected(ProviderError{ErrorKind::Permanent, "the file provider sends no HTTP", std::nullopt});
  }
  std::expected<Accepted, ProviderError> parse_response(const Message&, const HttpResponse&) override {
    return std::unexpected(ProviderError{ErrorKind::Permanent, "the file provider sends no HTTP", std::nullopt});
  }
  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport&) override {
    return std::unexpected(ReportFailure{ReportError::Malformed, "the file provider takes no delivery reports"});
  }
  ~FileProvider() override {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  std::string name_, path_;
  std::mutex mu_;
  int fd_ = -1;
};
}  // namespace

std::expected<std::unique_ptr<Provider>, std::vector<std::string>> make_file_provider(const FactoryContext& ctx) {
  util::YamlReader r(ctx.config.path);
  const YAML::Node& n = ctx.provider.node;
  r.expect_keys(n, provider_keys({"path"}),
                "provider \"" + ctx.provider.name + "\" (type file)");
  std::string path = (std::filesystem::path(ctx.config.state_dir) / "outbox.jsonl").string();
  if (n["path"])
    if (auto v = r.string(n["path"], "path")) {
      path = std::filesystem::path(*v).is_absolute() ? *v : (std::filesystem::path(ctx.config.dir) / *v).string();
    }
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::make_unique<FileProvider>(ctx.provider.name, path);
}

}  // namespace loa::providers
