// hiredis wrapper.
#include "core/store/redis.h"

#include "core/util/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <charconv>
#include <filesystem>
#include <regex>

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include "core/util/i18n.h"

namespace loa::store {

std::string Reply::text() const {
  if (type == Type::Integer) return std::to_string(integer);
  if (type == Type::String || type == Type::Status) return str;
  return "";
}

long long Reply::as_int(long long fallback) const {
  if (type == Type::Integer) return integer;
  if (type == Type::String) {
    try {
      size_t used = 0;
      long long v = std::stoll(str, &used);
      if (used == str.size()) return v;
    } catch (...) {
    }
  }
  return fallback;
}

void Redis::Free::operator()(redisContext* c) const { redisFree(c); }

namespace {
Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::String; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::Status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::Error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::Integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::Array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: out.type = Reply::Type::Nil;
  }
  return out;
}

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;
}  // namespace

std::optional<std::string> open_to_network(const std::string& url) {
  static const std::regex tcp(R"(redis://(?:[^@/]*@)?([^:/@]+)(?::(\d+))?(?:/\d+)?)");
  std::smatch m;
  if (!std::regex_match(url, m, tcp) || util::loopback_host(m[1].str())) return std::nullopt;
  const std::string bare = "redis://" + m[1].str() + (m[2].matched ? ":" + m[2].str() : "");
  auto r = Redis::connect(bare, 2000);
  if (!r) return std::nullopt;
  auto pong = (*r)->command({"PING"});
  if (!pong) return std::nullopt;  // NOAUTH: a password is needed
  return bare;
}

std::expected<RedisAddress, std::string> RedisAddress::parse(const std::string& url) {
  static const std::regex tcp(R"(redis://(?:([^:@/]*):([^@]*)@)?([^:/@]+)(?::(\d{1,5}))?(?:/(\d+))?)");
  static const std::regex unix_re(R"(unix://(?:([^:@/]*):([^@]*)@)?(/[^?]+)(?:\?db=(\d+))?)");
  RedisAddress a;
  a.shown = util::masked_url(url);  // never the password in a message
  std::smatch m;
  if (std::regex_match(url, m, tcp)) {
    a.user = m[1];
    a.password = m[2];
    a.host = m[3];
    if (m[4].matched) a.port = std::stoi(m[4]);
    a.db = m[5];
  } else if (std::regex_match(url, m, unix_re)) {
    a.user = m[1];
    a.password = m[2];
    a.path = m[3];
    a.db = m[4];
  } else {
    return std::unexpected(i18n::trf(
        "redis url \"{}\" is not redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix://[[USER]:PASSWORD@]/PATH[?db=N]",
        a.shown));
  }
  return a;
}

std::expected<std::unique_ptr<Redis>, std::string> Redis::connect(const std::string& url, int timeout_ms) {
  auto address = RedisAddress::parse(url);
  if (!address) return std::unexpected(address.error());
  std::unique_ptr<Redis> r(new Redis());
  r->address_ = std::move(*address);
  r->timeout_ms_ = timeout_ms;
  if (auto ok = r->reconnect(); !ok) return std::unexpected(ok.error());
  return r;
}

Redis::~Redis() = default;

std::expected<void, std::string> Redis::reconnect() {
  const RedisAddress& a = address_;
  timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
  redisContext* c = a.path.empty() ? redisConnectWithTimeout(a.host.c_str(), a.port, tv)
                                   : redisConnectUnixWithTimeout(a.path.c_str(), tv);
  if (!c) return std::unexpected(i18n::trf("cannot connect to Redis at {}: out of memory", a.shown));
  ctx_.reset(c);
  if (c->err) {
    std::string err = c->errstr;
    ctx_.reset();
    return std::unexpected(i18n::trf("cannot connect to Redis at {}: {}", a.shown, err));
  }
  redisSetTimeout(c, tv);
  if (!a.password.empty()) {
    auto r = a.user.empty() ? command({"AUTH", a.password}) : command({"AUTH", a.user, a.password});
    if (!r) return std::unexpected(i18n::trf("Redis at {} refused the login: {}", a.shown, r.error()));
  }
  if (!a.db.empty() && a.db != "0")
    if (auto r = command({"SELECT", a.db}); !r) return std::unexpected(r.error());
  return {};
}

std::string Redis::broken() {
  std::string err = ctx_->errstr[0] ? ctx_->errstr : "connection lost";
  ctx_.reset();  // a context is dead after any I/O error; the next call reconnects
  return fmt::format("Redis at {}: {}", address_.shown, err);
}

namespace {
// Commands in the Redis protocol (RESP), written straight from the caller's strings.
void resp_count(std::string& out, char kind, size_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out += kind;
  out.append(digits, end);
  out += "\r\n";
}
void resp_arg(std::string& out, std::string_view arg) {
  resp_count(out, '$', arg.size());
  out.append(arg);
  out += "\r\n";
}
}  // namespace

std::expected<void, std::string> Redis::append_resp(const std::string& resp) {
  if (!ctx_)
    if (auto ok = reconnect(); !ok) return std::unexpected(ok.error());
  if (redisAppendFormattedCommand(ctx_.get(), resp.data(), resp.size()) != REDIS_OK) return std::unexpected(broken());
  return {};
}

std::expected<void, std::string> Redis::append(const std::vector<std::vector<std::string>>& cmds) {
  std::string resp;
  for (const auto& cmd : cmds) {
    resp_count(resp, '*', cmd.size());
    for (const auto& a : cmd) resp_arg(resp, a);
  }
  return append_resp(resp);
}

std::expected<std::vector<Reply>, std::string> Redis::read_replies(std::size_t n) {
  if (!ctx_) return std::unexpected(i18n::trf("Redis at {}: connection lost", address_.shown));
  std::vector<Reply> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || !raw) return std::unexpected(broken());
    ReplyPtr reply(static_cast<redisReply*>(raw));
    out.push_back(convert(reply.get()));
  }
  return out;
}

std::expected<std::vector<Reply>, std::string> Redis::pipeline(const std::vector<std::vector<std::string>>& cmds) {
  if (auto ok = append(cmds); !ok) return std::unexpected(ok.error());
  return read_replies(cmds.size());
}

std::expected<Reply, std::string> Redis::command(const std::vector<std::string>& argv) {
  auto replies = pipeline({argv});
  if (!replies) return std::unexpected(replies.error());
  Reply& r = replies->front();
  if (r.type == Reply::Type::Error) return std::unexpected(i18n::trf("Redis {}: {}", argv.empty() ? "" : argv[0], r.str));
  return std::move(r);
}

Script::Script(std::string src) : source(std::move(src)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source.data()), source.size(), digest);
  static const char* hex = "0123456789abcdef";
  for (unsigned char b : digest) {
    sha += hex[b >> 4];
    sha += hex[b & 15];
  }
}

std::expected<Reply, std::string> Redis::eval(const Script& script, const std::vector<std::string>& keys,
                                              const std::vector<std::string>& args) {
  if (auto ok = send_evals({EvalCall{&script, keys, args}}); !ok) return std::unexpected(ok.error());
  auto r = receive_evals();
  if (!r) return std::unexpected(r.error());
  return std::move(r->front());
}

namespace {
void append_eval(std::string& resp, const Redis::EvalCall& c, bool by_sha) {
  resp_count(resp, '*', 3 + c.keys.size() + c.args.size());
  resp_arg(resp, by_sha ? "EVALSHA" : "EVAL");
  resp_arg(resp, by_sha ? c.script->sha : c.script->source);
  resp_arg(resp, std::to_string(c.keys.size()));
  for (const auto& k : c.keys) resp_arg(resp, k);
  for (const auto& a : c.args) resp_arg(resp, a);
}
}  // namespace

std::expected<void, std::string> Redis::send_evals(std::vector<EvalCall> calls) {
  std::string resp;
  for (const auto& c : calls) append_eval(resp, c, true);
  if (auto ok = append_resp(resp); !ok) return std::unexpected(ok.error());
  for (int done = 0; !done;)
    if (redisBufferWrite(ctx_.get(), &done) != REDIS_OK) return std::unexpected(broken());
  sent_ = std::move(calls);
  arrived_.clear();
  return {};
}

int Redis::fd() const { return ctx_ ? ctx_->fd : -1; }

std::expected<bool, std::string> Redis::evals_arrived() {
  if (!ctx_) return std::unexpected(i18n::trf("Redis at {}: connection lost", address_.shown));
  while (arrived_.size() < sent_.size()) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx_.get(), &raw) != REDIS_OK) return std::unexpected(broken());
    if (raw) {
      ReplyPtr reply(static_cast<redisReply*>(raw));
      arrived_.push_back(convert(reply.get()));
      continue;
    }
    pollfd p{ctx_->fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;  // nothing more yet
    if (redisBufferRead(ctx_.get()) != REDIS_OK) return std::unexpected(broken());
  }
  return true;
}

std::expected<std::vector<Reply>, std::string> Redis::receive_evals() {
  auto calls = std::move(sent_);
  sent_.clear();
  auto got = read_replies(calls.size() - std::min(calls.size(), arrived_.size()));
  if (!got) return std::unexpected(got.error());
  got->insert(got->begin(), std::make_move_iterator(arrived_.begin()), std::make_move_iterator(arrived_.end()));
  arrived_.clear();
  auto& replies = *got;
  for (size_t i = 0; i < replies.size(); ++i) {
    Reply& r = replies[i];
    if (r.type == Reply::Type::Error && r.str.rfind("NOSCRIPT", 0) == 0) {
      // That script did not run (the others did): run just it, by source, which also
      // caches it again.
      std::string resp;
      append_eval(resp, calls[i], false);
      if (auto ok = append_resp(resp); !ok) return std::unexpected(ok.error());
      auto again = read_replies(1);
      if (!again) return std::unexpected(again.error());
      r = std::move(again->front());
    }
    if (r.type == Reply::Type::Error) return std::unexpected("Redis script: " + r.str);
  }
  return got;
}

std::string redis_url(const std::string& configured, const std::string& state_dir) {
  if (configured != "embedded") return configured;
  return "unix://" + (std::filesystem::path(state_dir) / "redis.sock").string();
}

}  // namespace loa::store
