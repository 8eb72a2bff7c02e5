// loa: the command line for ward officials and cron (CONTRACT.md "The command line").
// The commands live by family in sending.cpp, following.cpp and operating.cpp; their help
// is generated from the option definitions (CLI11).
#include <CLI/CLI.hpp>

#include "cli/session.h"
#include "core/util/i18n.h"

int main(int argc, char** argv) {
  using namespace loa::cli;
  loa::i18n::choose(std::nullopt);  // by the locale until the config says otherwise
  CLI::App app("Send and follow SMS announcements to a ward's residents through loa-gatewayd.", "loa");
  app.footer(
      "Config: --config PATH, else $LOA_CONFIG, else /etc/loa/loa.yaml.\n"
      "Exit codes: 0 done; 2 bad usage or validation failure (nothing changed); 1 runtime failure.\n"
      "Run \"loa COMMAND --help\" for a command's options.");
  std::string config_flag;
  app.add_option("--config", config_flag, "the config file (before the command)")->type_name("PATH");
  app.require_subcommand(1);
  // Mistakes read as loa's other errors do; a word that is no command is named.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    std::string what = e.what();
    if (auto rest = a->remaining(); !rest.empty() && a->get_subcommands().empty() && !rest.front().starts_with("-"))
      what = "unknown command \"" + rest.front() + "\"";
    std::string hint = a->get_subcommands().empty() ? "loa --help" : "loa " + a->get_subcommands().front()->get_name() + " --help";
    return "loa: " + what + " (see " + hint + ")\n";
  });
  Session session(config_flag);
  int exit_code = kOk;
  add_sending_commands(app, session, exit_code);
  add_following_commands(app, session, exit_code);
  add_operating_commands(app, session, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help asked for is a success; any other mistake on the command line is bad usage.
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  return exit_code;
}
