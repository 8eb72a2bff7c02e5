// loa-fake-provider: a loopback SMS provider for demos, tests and benchmarks. Accepts the
// generic http provider's default fields, answers {"id": ...}, logs each accepted message
// as a JSON line, and posts a delivery report to the message's callback. Never the
// bottleneck of a benchmark: served by the daemon's own HTTP server (libmicrohttpd on
// epoll, a 4096 backlog, thousands of kept-alive connections; HTTPS with --tls-cert and
// --tls-key), and reports posted by threads of their own (--dlr-senders, batched with
// --dlr-batch), apart from the answers.
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <httplib.h>  // the client that posts delivery reports
#include <nlohmann/json.hpp>

#include "core/text/unicode.h"
#include "core/util/encoding.h"
#include "core/util/url.h"
#include "daemon/http_server.h"

namespace {

constexpr const char* kAbout =
    "A loopback SMS provider for demos, tests and benchmarks. Accepts POST (JSON or form) or\n"
    "GET with fields to, text, ref, callback, unicode on any path (or Twilio's To and Body);\n"
    "answers {\"id\": \"...\", \"sid\": \"...\"} (the same id).";

struct Options {
  std::string host = "127.0.0.1";
  int port = -1;
  int latency_ms = 0;
  int accept_delay_ms = 0;
  double fail_rate = 0;
  int status_code = 200;
  int dlr_delay_ms = 0;
  std::string dlr_status = "DELIVERED";
  std::string log;
  long fail_first = 0;
  int fail_status = 503;
  int retry_after = -1;
  long long rate_limit_reset = -1;
  int threads = 64;
  int dlr_senders = 8;
  int dlr_batch = 1;
  bool reports = true;
  std::string tls_cert, tls_key;
};

// A whole file (the certificate and key for --tls-cert and --tls-key).
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "loa-fake-provider: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Where a provider's reports go: its callback URL, split once into the origin a client
// connects to and the path it posts to.
struct Target {
  std::string callback, origin, path;
  explicit Target(std::string url) : callback(std::move(url)) {
    auto u = loa::util::parse_http_url(callback);
    if (!u) return;  // not posted
    origin = u->origin();
    path = u->query.empty() ? u->path : u->path + "?" + u->query;
  }
};

// One request's worth of reports: a report's JSON, or a JSON list of them.
struct Post {
  std::chrono::steady_clock::time_point due;  ///< when its newest report is due
  std::shared_ptr<const Target> target;
  std::string body;
  long reports = 0;
};

// Appends the report for one message, {"ref":...,"id":...,"status":...}, written directly
// (the fake posts one for every message it accepts).
void append_report(std::string& out, std::string_view ref, std::string_view id, std::string_view status) {
  out += R"({"ref":)";
  loa::text::append_json_string(out, ref);
  out += R"(,"id":)";
  loa::text::append_json_string(out, id);
  out += R"(,"status":)";
  loa::text::append_json_string(out, status);
  out += '}';
}

// Posts delivery reports when due, apart from the threads answering sends. With a batch
// above 1, the reports for one callback go in JSON lists, as gateways that batch reports post
// them: each answering thread fills a list of its own (no lock shared with the other
// threads a report) and hands it over once full, or at the flusher's next tick (every
// kLinger) with what has come; a list is posted when its newest report is due. Each
// sending thread keeps one keep-alive client per callback origin.
class ReportSender {
 public:
  static constexpr std::chrono::milliseconds kLinger{5};
  explicit ReportSender(int batch) : batch_(batch) {
    if (batch_ > 1) std::thread([this] { flush_ticks(); }).detach();
  }
  /// Called by an answering thread for each message it accepted.
  void add(const std::shared_ptr<const Target>& target, std::chrono::steady_clock::time_point due, std::string_view ref,
           std::string_view id, std::string_view status) {
    if (batch_ == 1) {
      Post post{due, target, {}, 1};
      append_report(post.body, ref, id, status);
      hand_over(std::move(post));
      return;
    }
    thread_local std::shared_ptr<OpenList> mine;
    if (!mine) {
      mine = std::make_shared<OpenList>();
      std::lock_guard lock(lists_mu_);
      lists_.push_back(mine);
    }
    std::unique_lock lock(mine->mu);  // shared only with the flusher's tick
    Post& open = mine->post;
    if (open.reports > 0 && open.target != target) close(open);
    if (open.reports == 0) {
      open.target = target;
      open.body.reserve(static_cast<std::size_t>(batch_) * 64);
      open.body += '[';
    } else {
      open.body += ',';
    }
    append_report(open.body, ref, id, status);
    open.due = due;
    if (++open.reports == batch_) close(open);
  }
  /// Requests posted and reports in them, so far.
  std::pair<long, long> posted() const { return {requests_.load(), reports_.load()}; }
  void run() {
    std::map<std::string, std::unique_ptr<httplib::Client>, std::less<>> clients;
    for (;;) {
      Post post;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return !queue_.empty(); });
        post = std::move(queue_.front());
        queue_.pop_front();
      }
      std::this_thread::sleep_until(post.due);
      if (post.target->origin.empty()) continue;
      auto& client = clients[post.target->origin];
      if (!client) {
        client = std::make_unique<httplib::Client>(post.target->origin);
        client->set_keep_alive(true);
        client->set_tcp_nodelay(true);
        client->set_connection_timeout(2);
        client->set_read_timeout(5);
      }
      auto res = client->Post(post.target->path, post.body, "application/json");
      if (!res) client.reset();  // reconnect next time
      ++requests_;
      reports_ += post.reports;
    }
  }

 private:
  struct OpenList {
    std::mutex mu;
    Post post;
  };
  // Ends `open`'s list and queues it for a sender.
  void close(Post& open) {
    open.body += ']';
    hand_over(std::move(open));
    open = Post{};
  }
  void hand_over(Post post) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(post));
    }
    ready_.notify_one();
  }
  // Hands over the lists that have not filled within kLinger, joined into lists as full
  // as they go (each answering thread has only its share of the reports of a tick).
  void flush_ticks() {
    for (;;) {
      std::this_thread::sleep_for(kLinger);
      std::vector<std::shared_ptr<OpenList>> lists;
      {
        std::lock_guard lock(lists_mu_);
        lists = lists_;
      }
      Post joined;
      for (auto& l : lists) {
        std::lock_guard lock(l->mu);
        Post& p = l->post;
        if (p.reports == 0) continue;
        if (joined.reports > 0 && (joined.target->callback != p.target->callback || joined.reports + p.reports > batch_))
          close(joined);
        if (joined.reports == 0) {
          joined = std::move(p);
        } else {
          joined.body += ',';
          joined.body.append(p.body, 1);  // past its '['
          joined.reports += p.reports;
          joined.due = std::max(joined.due, p.due);
        }
        p = Post{};
      }
      if (joined.reports > 0) close(joined);
    }
  }

  const int batch_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Post> queue_;
  std::mutex lists_mu_;
  std::vector<std::shared_ptr<OpenList>> lists_;  ///< each answering thread's open list
  std::atomic<long> requests_{0}, reports_{0};
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string listen;
  CLI::App app(kAbout, "loa-fake-provider");
  app.add_option("--listen", listen,
                 "address to listen on (port 0: the kernel picks; the bound address is printed on stdout as "
                 "\"listening on HOST:PORT\")")
      ->required()
      ->type_name("HOST:PORT");
  app.add_option("--latency-ms", o.latency_ms, "wait N ms before answering")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--accept-delay-ms", o.accept_delay_ms,
                 "hold each new connection N ms before serving it, on the thread that took it (a provider slow to "
                 "take connections)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fail-rate", o.fail_rate, "answer 500 to a fraction P of requests")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--status-code", o.status_code, "answer every request with this HTTP status")->capture_default_str();
  app.add_option("--dlr-delay-ms", o.dlr_delay_ms, "post the delivery report N ms after accepting")->capture_default_str();
  app.add_option("--dlr-status", o.dlr_status, "status in delivery reports")->capture_default_str();
  app.add_flag("--no-reports", [&](std::int64_t) { o.reports = false; }, "post no delivery reports");
  app.add_option("--fail-first", o.fail_first, "answer the first N requests with --fail-status")->capture_default_str();
  app.add_option("--fail-status", o.fail_status, "status for --fail-first (e.g. 429)")->capture_default_str();
  app.add_option("--retry-after", o.retry_after, "add Retry-After: S to failure answers");
  app.add_option("--rate-limit-reset", o.rate_limit_reset, "add X-Rate-Limit-Reset: S to failure answers (as SpeedSMS does)");
  app.add_option("--log", o.log, "append each accepted message to FILE as a JSON line")->type_name("FILE");
  app.add_option("--tls-cert", o.tls_cert, "serve HTTPS with this certificate (PEM; the chain, leaf first)")->type_name("FILE");
  app.add_option("--tls-key", o.tls_key, "... and this private key (PEM); both or neither")->type_name("FILE");
  app.add_option("--threads", o.threads,
                 "threads serving requests (libmicrohttpd, epoll: each serves many kept-alive connections); with "
                 "--latency-ms, a thread for each connection instead")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--dlr-senders", o.dlr_senders, "threads posting delivery reports, each with its own kept-alive connection")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--dlr-batch", o.dlr_batch,
                 "post reports for one callback in JSON lists of up to N: a list goes once it is full, or every 5 ms "
                 "with what has come by then")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "loa-fake-provider: %s (see --help)\n", e.what());
    return 2;
  }
  if (auto colon = listen.rfind(':'); colon != std::string::npos) {
    o.host = listen.substr(0, colon);
    int port = -1;
    auto [end, ec] = std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port);
    if (ec == std::errc() && end == listen.data() + listen.size() && port >= 0 && port <= 65535) o.port = port;
  }
  if (o.port < 0) {
    std::fprintf(stderr, "loa-fake-provider: --listen takes HOST:PORT, got \"%s\"\n", listen.c_str());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  {
    // SIGTERM and SIGINT are taken by main's sigwait, in no other thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  }
  std::FILE* log = nullptr;
  if (!o.log.empty() && !(log = std::fopen(o.log.c_str(), "a"))) {
    std::fprintf(stderr, "loa-fake-provider: cannot open log %s\n", o.log.c_str());
    return 1;
  }
  std::mutex log_mu;
  std::atomic<unsigned long long> counter{0};
  std::atomic<long> requests{0};
  // Two descriptors' worth of room per connection.
  if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  ReportSender reports(o.dlr_batch);
  for (int i = 0; i < o.dlr_senders; ++i) std::thread([&] { reports.run(); }).detach();

  // libmicrohttpd (the daemon's hardened server: epoll, a 4096 backlog, any number of
  // descriptors) on --threads threads; the simulated latency holds one of them.
  loa::config::WebhookLimits limits;
  limits.max_connections = 16384;
  limits.max_connections_per_client = 16384;  // the gateway is one address
  limits.request_timeout_ms = 60000;
  auto handle = [&](loa::daemon::HttpRequest& req) -> loa::daemon::HttpResponse {
    loa::daemon::HttpResponse res{.status = 200, .content_type = "application/json"};
    auto fail = [&](unsigned status, const char* body) {
      res.status = status;
      res.body = body;
      return res;
    };
    // The log's "at" is when the request arrived, before the simulated latency.
    auto at = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (o.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.latency_ms));
    std::map<std::string, std::string> f;
    if (auto q = req.uri.find('?'); q != std::string::npos)
      for (auto& [k, v] : loa::util::parse_form(req.uri.substr(q + 1))) f[k] = v;
    if (!req.body.empty() && req.body.front() == '{') {
      try {
        auto j = nlohmann::json::parse(req.body);
        for (const auto& [k, v] : j.items()) f[k] = v.is_string() ? v.get<std::string>() : v.dump();
      } catch (const nlohmann::json::exception&) {
        return fail(400, R"({"error":"body is not valid JSON"})");
      }
    } else if (!req.body.empty()) {
      for (auto& [k, v] : loa::util::parse_form(req.body)) f[k] = v;
    }
    if (o.retry_after >= 0) res.headers.emplace_back("Retry-After", std::to_string(o.retry_after));
    if (o.rate_limit_reset >= 0) res.headers.emplace_back("X-Rate-Limit-Reset", std::to_string(o.rate_limit_reset));
    if (++requests <= o.fail_first) return fail(static_cast<unsigned>(o.fail_status), R"({"error":"failing the first requests"})");
    if (o.status_code != 200) return fail(static_cast<unsigned>(o.status_code), R"({"error":"configured failure"})");
    thread_local std::mt19937 rng(std::random_device{}());
    if (o.fail_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < o.fail_rate)
      return fail(500, R"({"error":"random failure"})");
    // Twilio's form fields (To, Body) too, for the Twilio adapter through nginx's test.
    if (f["to"].empty()) f["to"] = f["To"];
    if (f["text"].empty()) f["text"] = f["Body"];
    if (f["to"].empty() || f["text"].empty()) return fail(400, R"({"error":"to and text are required"})");
    std::string id = "fp-" + std::to_string(++counter);
    if (log) {
      nlohmann::json line{{"id", id}, {"to", f["to"]}, {"text", f["text"]}, {"ref", f["ref"]}, {"unicode", f["unicode"]}, {"at", at}};
      std::string text = line.dump() + "\n";
      std::lock_guard lock(log_mu);
      std::fwrite(text.data(), 1, text.size(), log);
      std::fflush(log);
    }
    if (o.reports && !f["callback"].empty()) {
      // The gateway gives every message of a provider the same callback: keep one copy.
      thread_local std::shared_ptr<const Target> target;
      if (!target || target->callback != f["callback"]) target = std::make_shared<const Target>(f["callback"]);
      reports.add(target, std::chrono::steady_clock::now() + std::chrono::milliseconds(o.dlr_delay_ms), f["ref"], id,
                  o.dlr_status);
    }
    res.body = nlohmann::json{{"id", id}, {"sid", id}}.dump();
    return res;
  };
  // With a simulated latency, a thread for each connection: a sleeping request must not hold
  // up the other connections a pool thread serves.
  loa::daemon::HttpServer server("fake", o.host, o.port, limits, handle, [](const char*) {},
                                 o.latency_ms > 0 ? 0u : static_cast<unsigned>(o.threads));
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    std::fprintf(stderr, "loa-fake-provider: --tls-cert and --tls-key go together\n");
    return 2;
  }
  if (!o.tls_cert.empty()) server.use_tls(read_file(o.tls_cert), read_file(o.tls_key));
  // Connections made (answered or not), for tests of how a gateway opens them.
  std::atomic<long> connections{0};
  server.on_open([&, delay = o.accept_delay_ms] {
    ++connections;
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  });
  auto port = server.bind();
  if (!port) {
    std::fprintf(stderr, "loa-fake-provider: cannot listen on %s:%d: %s\n", o.host.c_str(), o.port, port.error().c_str());
    return 1;
  }
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "loa-fake-provider: %s\n", started.error().c_str());
    return 1;
  }
  std::printf("listening on %s:%d\n", o.host.c_str(), *port);
  std::fflush(stdout);
  // Serves until SIGTERM or SIGINT.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  int got = 0;
  sigwait(&stop_signals, &got);
  server.stop();
  std::fprintf(stderr, "loa-fake-provider: %ld connections taken\n", connections.load());
  if (auto [requests, posted] = reports.posted(); requests > 0)
    std::fprintf(stderr, "loa-fake-provider: posted %ld delivery reports in %ld requests\n", posted, requests);
  // The report threads wait on the queue for ever: leave without destroying what they use.
  if (log) std::fclose(log);
  std::fflush(stdout);
  std::_Exit(0);
  return 0;
}
