// loa-gatewayd: reads the config, starts the gateway, stops it on SIGTERM/SIGINT.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "core/config/config.h"
#include "core/util/i18n.h"
#include "core/util/log.h"
#include "daemon/gateway.h"

namespace {
constexpr const char* kAbout =
    "The Loa SMS gateway daemon: consumes announcement jobs from Redis, sends each\n"
    "resident's message through the configured providers, and takes delivery reports\n"
    "on webhook.listen (/dlr/<provider>, /healthz, /metrics).";
constexpr const char* kFooter =
    "Exit codes: 0 stopped cleanly; 1 runtime failure; 2 bad usage; 78 config error.\n"
    "Signals: SIGTERM/SIGINT drain (in-flight requests finish and are recorded);\n"
    "SIGHUP reloads config, providers and templates (a bad reload keeps the old ones).";

// Every HTTPS request has OpenSSL take a ~17 KiB read and write buffer and give them back
// when the answer is in (SSL_MODE_RELEASE_BUFFERS: kept, 256 idle connections would hold
// 8 MiB and cost more CPU, docs/performance.md). With glibc's default, a thread's heap is trimmed
// whenever 128 KiB lie free at its top, so those pages were handed back to the kernel and
// faulted in again many times a second: 12-14 % of the daemon's CPU a message over HTTPS
// (docs/performance.md, "2026-12-02, sixth session"). Free memory up to 32 MiB an arena is kept
// instead; peak RSS does not move. Setting it also stops glibc from raising its mmap
// threshold as it goes, which left every block of 128 KiB or more (an expansion chunk's
// command, 512 messages) to mmap and munmap: each munmap a TLB shoot-down on both cores
// (daemon CPU a message 43.8 -> 35.2 µs in alternated pairs, docs/performance.md "seventh
// session"). Blocks under 4 MiB now come from the heap.
// An operator's own GLIBC_TUNABLES for either wins.
void keep_freed_memory() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const auto named = [&](const char* name) { return tunables && std::strstr(tunables, name); };
  if (!named("glibc.malloc.trim_threshold")) {
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
  }
  if (!named("glibc.malloc.mmap_threshold")) mallopt(M_MMAP_THRESHOLD, 4 << 20);
}
}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> config_path;
  std::string level = std::getenv("LOA_LOG_LEVEL") ? std::getenv("LOA_LOG_LEVEL") : "info";
  bool check_only = false;
  CLI::App app(kAbout, "loa-gatewayd");
  app.footer(kFooter);
  app.add_option("--config", config_path, "config file (default: $LOA_CONFIG, else /etc/loa/loa.yaml)")->type_name("PATH");
  app.add_flag("--check", check_only, "validate the config and providers, then exit (0 ok, 78 errors)");
  app.add_option("--log-level", level, "trace, debug, info (default), warn, error ($LOA_LOG_LEVEL)")->type_name("LEVEL");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "loa-gatewayd: %s (see --help)\n", e.what());
    return 2;
  }
  keep_freed_memory();
  loa::util::init_logging("loa-gatewayd", level);
  // The logs stay English; the officials' API answers each request in its client's language.
  loa::i18n::prepare_catalog();
  // Signals are taken by one thread with sigwait, so no handler runs inside library code.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // What the daemon writes (embedded Redis's AOF, outbox, logs) is not for every local
  // user, with or without systemd's UMask=.
  ::umask(027);
  // The webhook holds up to webhook.max_connections sockets (two descriptors each): take
  // the hard limit on open files, as a server does (root may raise it to what is needed).
  if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    const auto need = static_cast<rlim_t>(1 << 20);  // Linux's default fs.nr_open
    rlimit want{nofile.rlim_max, nofile.rlim_max};
    if (nofile.rlim_max < need) want = {need, need};
    if (::setrlimit(RLIMIT_NOFILE, &want) != 0) {
      nofile.rlim_cur = nofile.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &nofile);
    }
  }

  std::string path = loa::config::resolve_config_path(config_path);
  auto gateway = loa::daemon::Gateway::create(path);
  if (!gateway) {
    for (const auto& e : gateway.error()) std::fprintf(stderr, "loa-gatewayd: %s\n", e.c_str());
    return 78;  // EX_CONFIG: systemd must not restart-loop on a config error
  }
  if (check_only) {
    std::printf("%s: ok\n", path.c_str());
    return 0;
  }
  std::thread signals([&] {
    for (;;) {
      int sig = 0;
      sigwait(&set, &sig);
      if (sig == SIGHUP) {
        spdlog::info("SIGHUP: reloading config, providers and templates");
        (*gateway)->request_reload();
        continue;
      }
      spdlog::info("signal {}: draining", strsignal(sig));
      (*gateway)->request_stop();
      return;
    }
  });
  signals.detach();
  return (*gateway)->run();
}
