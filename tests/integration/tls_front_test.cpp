// TLS in front (issue 14, point 4): the shipped nginx site (packaging/nginx/loa-webhook.conf)
// with a throwaway certificate before a real gateway; providers' reports over HTTPS. Needs
// nginx, openssl and curl (CI installs nginx); skipped, saying so, where nginx is missing.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "providers/vendors/twilio.h"
#include "tests/integration/harness.h"

using namespace loa::test;

namespace {

void replace(std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "the shipped nginx site lost \"", from, "\"");
  text.replace(at, from.size(), to);
}

// nginx with the shipped site, on `port`, before the gateway's webhook on `upstream`.
struct Nginx {
  std::unique_ptr<Process> proc;
  Nginx(const TempDir& dir, int port, int upstream) {
    std::string site = read_file(std::string(LOA_SOURCE_DIR) + "/packaging/nginx/loa-webhook.conf");
    replace(site, "listen 443 ssl;", "listen 127.0.0.1:" + std::to_string(port) + " ssl;");
    replace(site, "listen [::]:443 ssl;", "");
    replace(site, "server 127.0.0.1:8089;", "server 127.0.0.1:" + std::to_string(upstream) + ";");
    replace(site, "/etc/ssl/loa/fullchain.pem", dir.file("cert.pem"));
    replace(site, "/etc/ssl/loa/privkey.pem", dir.file("key.pem"));
    dir.write("site.conf", site);
    std::filesystem::create_directories(dir.file("nginx"));
    dir.write("nginx.conf", "daemon off;\nworker_processes 1;\npid " + dir.file("nginx/pid") + ";\nerror_log " +
                                dir.file("nginx/error.log") + " info;\nevents { worker_connections 256; }\nhttp {\n" +
                                "  access_log off;\n  client_body_temp_path " + dir.file("nginx") + ";\n  proxy_temp_path " +
                                dir.file("nginx") + ";\n  include " + dir.file("site.conf") + ";\n}\n");
    auto syntax = run({"nginx", "-t", "-p", dir.file("nginx"), "-c", dir.file("nginx.conf")});
    REQUIRE_MESSAGE(syntax.code == 0, syntax.err);
    proc = std::make_unique<Process>(std::vector<std::string>{"nginx", "-p", dir.file("nginx"), "-c", dir.file("nginx.conf")},
                                     dir.file("nginx/out"), dir.file("nginx/err"));
    REQUIRE(wait_until([&] { return run({"curl", "-s", "-o", "/dev/null", "--cacert", dir.file("cert.pem"),
                                         "https://127.0.0.1:" + std::to_string(port) + "/"}).code == 0; },
                       std::chrono::seconds(10)));
  }
  // nginx's master stops its workers on SIGTERM; a SIGKILL would leave them listening.
  ~Nginx() {
    proc->signal(SIGTERM);
    proc->wait(std::chrono::seconds(5));
  }
};

// curl's answer: the status code, or -1 when it could not connect.
struct Posted {
  int status = -1;
  std::string body;
};
Posted post(const TempDir& dir, const std::string& url, const std::string& body, const std::string& signature,
            const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{"curl", "-sS", "--cacert", dir.file("cert.pem"), "-o", dir.file("answer"), "-w",
                                "%{http_code}", "-H", "Content-Type: application/x-www-form-urlencoded"};
  if (!signature.empty()) argv.insert(argv.end(), {"-H", "X-Twilio-Signature: " + signature});
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"--data-binary", "@" + dir.file("body"), url});
  dir.write("body", body);
  auto r = run(argv);
  if (r.code != 0) return {};
  return {std::atoi(r.out.c_str()), read_file(dir.file("answer"))};
}

}  // namespace

TEST_SUITE("integration/tls-front") {
  TEST_CASE("the shipped nginx site: a signed Twilio report over HTTPS is applied, a forged one refused") {
    if (std::system("command -v nginx >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1") != 0) {
      MESSAGE("nginx, openssl or curl not installed: skipped (CI installs them)");
      return;
    }
    Rig rig(2);
    auto& [dir, redis, provider, cfg] = rig;
    const int port = free_port();
    const std::string public_url = "https://127.0.0.1:" + std::to_string(port);
    {
      std::string text = dir.read("loa.yaml");
      replace(text, "webhook:\n  listen: 127.0.0.1:0\n",
              "webhook:\n  listen: 127.0.0.1:0\n  public_url: " + public_url + "\n  max_connections_per_client: 1024\n");
      text += "  - name: tw\n    type: twilio\n    base_url: http://127.0.0.1:" + std::to_string(provider.port()) +
              "\n    account_sid: AC0123456789abcdef0123456789abcdef\n    auth_token: test-auth-token\n"
              "    from: \"+15005550006\"\nroutes:\n  default: [tw]\n";
      dir.write("loa.yaml", text);
    }
    auto cert = run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("key.pem"), "-out",
                     dir.file("cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    REQUIRE_MESSAGE(cert.code == 0, cert.err);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    Nginx nginx(dir, port, gw.port());

    const std::string job = send_job(cfg, "phuong-6", "qua TLS");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    const std::string sid = message(*redis.connect(), job, 0).progress.provider_id;
    REQUIRE(sid.rfind("fp-", 0) == 0);

    // Signed as Twilio signs its StatusCallback (the URL Loa gave it, the form fields).
    const std::string url = public_url + "/dlr/tw";
    const std::vector<std::pair<std::string, std::string>> fields{
        {"MessageSid", sid}, {"MessageStatus", "delivered"}, {"AccountSid", "AC0123456789abcdef0123456789abcdef"}};
    const std::string form = "MessageSid=" + sid + "&MessageStatus=delivered&AccountSid=AC0123456789abcdef0123456789abcdef";
    const std::string good = loa::providers::twilio_signature("test-auth-token", url, fields);

    // A forged one (another token's signature), and a signed one whose status was changed.
    auto forged = post(dir, url, form, loa::providers::twilio_signature("someone-else", url, fields));
    CHECK(forged.status == 401);
    auto changed = post(dir, url, "MessageSid=" + sid + "&MessageStatus=failed&AccountSid=AC0123456789abcdef0123456789abcdef", good);
    CHECK(changed.status == 401);
    CHECK(message(*redis.connect(), job, 0).progress.state == loa::jobs::MessageState::sent);

    auto applied = post(dir, url, form, good);
    CHECK_MESSAGE(applied.status == 200, applied.body);
    REQUIRE(wait_until([&] { return message(*redis.connect(), job, 0).progress.state == loa::jobs::MessageState::delivered; },
                       std::chrono::seconds(5)));
    CHECK(job_status(cfg, job)["counts"]["delivered"] == 1);

    // nginx's own limits and what it keeps private.
    auto big = post(dir, url, std::string(70 * 1024, 'x'), good);
    CHECK(big.status == 413);
    auto metrics = run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", dir.file("cert.pem"),
                        public_url + "/metrics"});
    CHECK(metrics.out == "404");
    auto put = post(dir, url, form, good, {"-X", "PUT"});
    CHECK(put.status == 403);
    // And the certificate is checked: a client that does not know it refuses to talk.
    auto untrusted = run({"curl", "-sS", "-o", "/dev/null", public_url + "/dlr/tw"});
    CHECK(untrusted.code != 0);
  }
}
