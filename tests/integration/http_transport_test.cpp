// Both HTTP transports (Loa's own HTTP/1.1 client and libcurl's multi) against a real
// server on loopback, through the same scenarios: what the dispatcher relies on, from
// keep-alive to "was the request written?" when things go wrong.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <httplib.h>

#include "providers/transport/curl_transport.h"
#include "providers/transport/http1_client.h"
#include "providers/transport/resolver.h"
#include "tests/integration/harness.h"

using namespace std::chrono_literals;
using loa::transport::CurlMulti;
using loa::transport::Http1Client;
using loa::transport::HttpRequest;
using loa::transport::HttpResponse;
using loa::transport::HttpTransport;

namespace {

// An HTTP server on 127.0.0.1 (kernel-chosen port) in this process.
struct Server {
  httplib::Server http;
  int port = 0;
  std::thread thread;
  std::mutex mu;
  std::set<int> client_ports;  ///< remote ports seen: one per connection
  std::atomic<int> hits{0};

  Server() {
    http.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      seen(req);
      res.set_content("got " + req.body + " as " + req.get_header_value("Content-Type") + " auth " +
                          req.get_header_value("Authorization") + " x " + req.get_header_value("X-Key"),
                      "text/plain");
    });
    http.Get("/query", [this](const httplib::Request& req, httplib::Response& res) {
      seen(req);
      res.set_content("to=" + req.get_param_value("to") + " text=" + req.get_param_value("text"), "text/plain");
    });
    http.Post("/busy", [this](const httplib::Request& req, httplib::Response& res) {
      seen(req);
      res.status = 429;
      res.set_header("Retry-After", "3");
      res.set_content("slow down", "text/plain");
    });
    http.Post("/chunked", [this](const httplib::Request& req, httplib::Response& res) {
      seen(req);
      res.set_chunked_content_provider("application/json", [](size_t offset, httplib::DataSink& sink) {
        if (offset == 0) sink.write("{\"id\":", 6);
        else if (offset == 6) sink.write("\"c-1\"}", 6);
        else sink.done();
        return true;
      });
    });
    http.Post("/slow", [this](const httplib::Request& req, httplib::Response& res) {
      seen(req);
      std::this_thread::sleep_for(1500ms);
      res.set_content("late", "text/plain");
    });
    http.set_keep_alive_timeout(1);
    http.set_keep_alive_max_count(1000);
    port = http.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { http.listen_after_bind(); });
    while (!http.is_running()) std::this_thread::sleep_for(5ms);
  }
  ~Server() {
    http.stop();
    thread.join();
  }
  void seen(const httplib::Request& req) {
    ++hits;
    std::lock_guard lock(mu);
    client_ports.insert(req.remote_port);
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

HttpRequest post(const std::string& url, const std::string& body) {
  HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.body = body;
  r.headers = {{"Content-Type", "application/json"}, {"X-Key", "k1"}};
  return r;
}

// Polls until every tag has its answer (10 s at most).
std::map<std::uint64_t, HttpResponse> finish(HttpTransport& t, std::size_t count) {
  std::map<std::uint64_t, HttpResponse> out;
  auto until = std::chrono::steady_clock::now() + 10s;
  while (out.size() < count && std::chrono::steady_clock::now() < until)
    for (auto& [tag, r] : t.poll(50)) out.emplace(tag, std::move(r));
  return out;
}

// A port with nothing listening: bound by the kernel's choice, then closed.
int dead_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

// A provider that reads each request whole and then, for the requests it is told to
// drop (counted per connection, from 1), closes the connection without answering; the
// others get "200 ok" on a kept-alive connection. It counts every request it read.
struct DroppingServer {
  std::set<int> drop;
  std::atomic<int> requests{0};
  loa::test::RawServer server{[this](int fd) { serve(fd); }};

  explicit DroppingServer(std::set<int> drop_these) : drop(std::move(drop_these)) {}
  void serve(int fd) {
    std::string buf;
    for (int k = 1; loa::test::read_request(fd, buf); ++k) {
      ++requests;
      if (drop.count(k)) break;
      const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
      if (send(fd, ok.data(), ok.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ok.size())) break;
    }
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server.port()) + path; }
};

std::unique_ptr<HttpTransport> make(const std::string& which, int connections) {
  if (which == "Http1Client") return std::make_unique<Http1Client>(connections);
  return std::make_unique<CurlMulti>(connections);
}

// Runs a scenario once per transport, each with a fresh server.
void with_each_transport(int connections, const std::function<void(Server&, HttpTransport&)>& scenario) {
  for (std::string which : {"Http1Client", "CurlMulti"}) {
    CAPTURE(which);
    Server server;
    auto t = make(which, connections);
    scenario(server, *t);
  }
}

}  // namespace

TEST_SUITE("integration/http") {
  TEST_CASE("the transport for a URL: Loa's own client for HTTP(S) by name or address, libcurl through a proxy") {
    CHECK(Http1Client::handles("http://127.0.0.1:8080/send"));
    CHECK(Http1Client::handles("http://[::1]:8080/send?x=1"));
    CHECK(Http1Client::handles("http://localhost/send"));
    CHECK(Http1Client::handles("HTTP://10.1.2.3"));
    CHECK(Http1Client::handles("https://127.0.0.1/send"));
    CHECK(Http1Client::handles("https://localhost:8443/send"));
    CHECK(Http1Client::handles("http://rest.esms.vn/api"));
    CHECK(Http1Client::handles("https://api.infobip.com/sms/3/messages"));
    CHECK_FALSE(Http1Client::handles("ftp://127.0.0.1/send"));
    CHECK_FALSE(Http1Client::handles("http://127.0.0.1:99999/"));
    CHECK_FALSE(Http1Client::handles("http://[::1/"));
    CHECK_FALSE(Http1Client::handles("http://bad_name!/"));
    CHECK_FALSE(Http1Client::handles("http://user@127.0.0.1/"));
    if (loa::transport::no_proxy_in_env()) {
      CHECK(dynamic_cast<Http1Client*>(loa::transport::make_transport({"http://127.0.0.1:1/x", 4}).get()));
      CHECK(dynamic_cast<Http1Client*>(loa::transport::make_transport({"https://127.0.0.1:1/x", 4}).get()));
      CHECK(dynamic_cast<Http1Client*>(loa::transport::make_transport({"https://api.infobip.com/sms", 4}).get()));
    }
  }

  TEST_CASE("host names: looked up off the client's thread, each address tried; a name that does not exist fails, not sent") {
    loa::transport::Resolver resolver;
    loa::transport::Resolver::Address a;
    std::string error;
    auto state = resolver.lookup("localhost", 80, a, error);
    CHECK(state == loa::transport::Resolver::State::pending);  // never answered on the caller's thread
    auto until = std::chrono::steady_clock::now() + 10s;
    while (state == loa::transport::Resolver::State::pending && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
      state = resolver.lookup("localhost", 80, a, error);
    }
    REQUIRE(state == loa::transport::Resolver::State::ready);
    CHECK(a.of >= 1);
    CHECK((a.addr.ss_family == AF_INET || a.addr.ss_family == AF_INET6));

    // Through the client: "localhost" by its name (::1 first where it is listed, refused:
    // 127.0.0.1 next), answered; ".invalid" never exists (RFC 6761): failed, nothing written.
    Server server;
    Http1Client client(4);
    client.add(1, post("http://localhost:" + std::to_string(server.port) + "/echo", "theo tên"), 5000);
    client.add(2, post("http://no-such-host.invalid/echo", "không"), 15000);
    auto got = finish(client, 2);
    REQUIRE(got.size() == 2);
    CAPTURE(got[1].transport_error);
    CHECK(got[1].status == 200);
    CHECK(got[1].body.starts_with("got theo tên"));
    CHECK(got[2].status == 0);
    CHECK_FALSE(got[2].request_sent);
    CHECK(got[2].transport_error.starts_with("cannot find no-such-host.invalid"));
    CHECK(server.hits == 1);
  }

  TEST_CASE("many requests over a few kept-alive connections: bodies, headers, auth, queries") {
    with_each_transport(4, [](Server& server, HttpTransport& t) {
      for (std::uint64_t i = 0; i < 40; ++i) {
        auto r = post(server.url("/echo"), "{\"n\":" + std::to_string(i) + "}");
        if (i == 7) r.basic_auth = "ACx:tok";
        t.add(i, r, 5000);
      }
      HttpRequest get;
      get.method = "GET";
      get.url = server.url("/query?to=84912345678&text=Ch%C3%A0o");
      t.add(99, get, 5000);
      CHECK(t.in_flight() == 41);
      auto got = finish(t, 41);
      REQUIRE(got.size() == 41);
      CHECK(t.in_flight() == 0);
      for (std::uint64_t i = 0; i < 40; ++i) {
        CHECK(got[i].status == 200);
        CHECK(got[i].transport_error.empty());
        CHECK(got[i].body.starts_with("got {\"n\":" + std::to_string(i) + "} as application/json"));
        CHECK(got[i].body.ends_with(" x k1"));
      }
      CHECK(got[7].body.find("auth Basic QUN4OnRvaw==") != std::string::npos);
      CHECK(got[99].body == "to=84912345678 text=Chào");
      std::lock_guard lock(server.mu);
      CHECK(server.client_ports.size() <= 4);  // connections reused, never more than the cap
      CHECK(t.counts().connections == server.client_ports.size());  // what /metrics is told
      CHECK(t.counts().tls_full + t.counts().tls_resumed == 0);
    });
  }

  TEST_CASE("429 with Retry-After, and a chunked answer") {
    with_each_transport(2, [](Server& server, HttpTransport& t) {
      t.add(1, post(server.url("/busy"), "{}"), 5000);
      t.add(2, post(server.url("/chunked"), "{}"), 5000);
      auto got = finish(t, 2);
      REQUIRE(got.size() == 2);
      CHECK(got[1].status == 429);
      CHECK(got[1].retry_after_ms == 3000);
      CHECK(got[2].status == 200);
      CHECK(got[2].body == R"({"id":"c-1"})");
    });
  }

  TEST_CASE("refused: not written; no answer in time: written, timed out") {
    with_each_transport(2, [](Server& server, HttpTransport& t) {
      t.add(1, post("http://127.0.0.1:" + std::to_string(dead_port()) + "/send", "{}"), 2000);
      auto start = std::chrono::steady_clock::now();
      t.add(2, post(server.url("/slow"), "{}"), 300);
      auto got = finish(t, 2);
      REQUIRE(got.size() == 2);
      CHECK(got[1].status == 0);
      CHECK_FALSE(got[1].transport_error.empty());
      CHECK_FALSE(got[1].request_sent);
      CHECK(got[2].status == 0);
      CHECK(got[2].timed_out);
      CHECK(got[2].request_sent);
      CHECK(std::chrono::steady_clock::now() - start < 1400ms);  // not the handler's 1.5 s
    });
  }

  TEST_CASE("answers that came in time while the caller was held up (a slow Redis call) are read, not timed out, past one wait's 128 events") {
    // Answers at once, or 100 ms after each request once `late`; a thread a connection.
    std::atomic<int> connections{0};
    std::atomic<bool> late{false};
    loa::test::RawServer server([&](int fd) {
      ++connections;
      std::string buf;
      while (loa::test::read_request(fd, buf)) {
        if (late) std::this_thread::sleep_for(100ms);
        const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
        if (send(fd, ok.data(), ok.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ok.size())) break;
      }
    });
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    constexpr int kRequests = 200;
    Http1Client client(kRequests);
    std::uint64_t tag = 0;
    // The ramp opens connections as answers come: rounds until it has opened enough (three
    // did on a quiet machine, not always on a loaded one).
    for (int round = 0; round < 10 && connections.load() <= 150; ++round) {
      for (int i = 0; i < kRequests; ++i) client.add(++tag, post(base + "/now", "{}"), 5000);
      REQUIRE(finish(client, kRequests).size() == kRequests);
    }
    REQUIRE(connections.load() > 150);  // more ready at once than one epoll_wait returns
    late = true;
    for (int i = 0; i < kRequests; ++i) client.add(++tag, post(base + "/late", "{}"), 400);
    std::map<std::uint64_t, HttpResponse> got;
    for (auto& [t, r] : client.poll(0)) got.emplace(t, std::move(r));  // all written; none answered yet
    REQUIRE(got.empty());
    std::this_thread::sleep_for(700ms);  // held up past every deadline; the answers wait in the sockets
    for (auto& [t, r] : finish(client, kRequests)) got.emplace(t, std::move(r));
    REQUIRE(got.size() == kRequests);
    int answered = 0;
    for (const auto& [t, r] : got) answered += r.status == 200 && !r.timed_out;
    CHECK(answered == kRequests);
  }

  TEST_CASE("a kept-alive connection the server closed while idle is not an error") {
    with_each_transport(1, [](Server& server, HttpTransport& t) {
      t.add(1, post(server.url("/echo"), "a"), 5000);
      REQUIRE(finish(t, 1)[1].status == 200);
      std::this_thread::sleep_for(1600ms);  // the server closes connections idle for 1 s
      t.add(2, post(server.url("/echo"), "b"), 5000);
      auto got = finish(t, 1);
      CHECK(got[2].status == 200);
      CHECK(got[2].body.starts_with("got b"));
      CHECK(server.hits == 2);  // sent once
    });
  }

  TEST_CASE("poll returns early when the extra fd becomes readable") {
    with_each_transport(1, [](Server& server, HttpTransport& t) {
      t.add(1, post(server.url("/slow"), "{}"), 5000);
      int fds[2];
      REQUIRE(pipe(fds) == 0);
      REQUIRE(write(fds[1], "x", 1) == 1);
      auto start = std::chrono::steady_clock::now();
      auto got = t.poll(1000, fds[0]);
      CHECK(got.empty());
      CHECK(std::chrono::steady_clock::now() - start < 500ms);
      close(fds[0]);
      close(fds[1]);
      CHECK(finish(t, 1)[1].status == 200);
    });
  }

  // A provider that took the request and closed without a word may have sent the SMS:
  // neither transport may send it again (libcurl would, on a reused connection), and the
  // dispatcher must learn that it was written.
  TEST_CASE("a request read and then left unanswered is written, and is sent once: fresh and kept-alive, POST and GET") {
    for (std::string which : {"Http1Client", "CurlMulti"}) {
      for (std::string method : {"POST", "GET"}) {
        CAPTURE(which);
        CAPTURE(method);
        auto request = [&](const std::string& url) {
          HttpRequest r = post(url, "{\"to\":\"84912345678\"}");
          if (method == "GET") {
            r.method = "GET";
            r.body.clear();
            r.url += "?to=84912345678";
          }
          return r;
        };
        {
          DroppingServer server({1});  // the first request of every connection
          auto t = make(which, 1);
          t->add(1, request(server.url("/send")), 3000);
          auto got = finish(*t, 1);
          REQUIRE(got.size() == 1);
          CHECK(got[1].status == 0);
          CHECK_FALSE(got[1].transport_error.empty());
          CHECK(got[1].request_sent);
          CHECK_FALSE(got[1].timed_out);
          std::this_thread::sleep_for(200ms);
          CHECK(server.requests == 1);
        }
        {
          DroppingServer server({2});  // the second request of a kept-alive connection
          auto t = make(which, 1);
          t->add(1, request(server.url("/send")), 3000);
          REQUIRE(finish(*t, 1)[1].status == 200);
          t->add(2, request(server.url("/send")), 3000);
          auto got = finish(*t, 1);
          REQUIRE(got.size() == 1);
          CHECK(got[2].status == 0);
          CHECK(got[2].request_sent);
          CHECK_FALSE(got[2].transport_error.empty());
          std::this_thread::sleep_for(200ms);
          CHECK(server.requests == 2);  // not 3: no silent second send
          // The transport goes on: the next request gets a fresh connection and its answer.
          t->add(3, request(server.url("/send")), 3000);
          CHECK(finish(*t, 1)[3].status == 200);
          CHECK(server.requests == 3);
        }
      }
    }
  }

  TEST_CASE("both transports open connections gradually: a few before any answers, more as answers come") {
    for (std::string which : {"Http1Client", "CurlMulti"}) {
      CAPTURE(which);
      // Each connection is counted as the server takes it, and each request answered 200
      // ms after it is read: a client opening all 64 at once would be seen holding 64.
      std::atomic<int> open{0}, peak_before_answer{0}, connections{0}, answered{0};
      loa::test::RawServer server([&](int fd) {
        ++connections;
        if (answered == 0) peak_before_answer = std::max(peak_before_answer.load(), ++open);
        std::string buf;
        while (loa::test::read_request(fd, buf)) {
          std::this_thread::sleep_for(200ms);
          ++answered;
          const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
          if (send(fd, ok.data(), ok.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ok.size())) break;
        }
      });
      auto client = make(which, 64);
      const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/send";
      for (std::uint64_t tag = 1; tag <= 64; ++tag) client->add(tag, post(url, "{}"), 8000);
      auto got = finish(*client, 64);
      REQUIRE(got.size() == 64);
      for (auto& [tag, r] : got) CHECK(r.status == 200);
      CHECK(peak_before_answer <= 8);
      CHECK(connections > 8);   // the allowance grew with the answers
      CHECK(connections < 64);  // and connections that answered were used again
      CHECK(client->counts().connections == static_cast<std::uint64_t>(connections.load()));
    }
  }
}
