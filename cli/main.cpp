// loa: the command line for ward officials and cron (CONTRACT.md "The command line").
// The commands live by family in sending.cpp, following.cpp, operating.cpp, trust.cpp,
// calendar.cpp and remind.cpp, each working through the session's backend (backend.h: on
// Redis, or through the API with --server); their help is generated from the option
// definitions (CLI11), in the config's language.
#include <CLI/CLI.hpp>

#include <cstring>
#include <optional>
#include <string>

#include "cli/session.h"
#include "core/config/config.h"
#include "core/util/i18n.h"

namespace {

using loa::i18n::N_;
using loa::i18n::tr;

// --config as given anywhere on the command line, before CLI11 has parsed it: the config's
// `language` must be known while the help and the usage errors are written.
std::optional<std::string> config_flag_of(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) return argv[i + 1];
    if (std::strncmp(argv[i], "--config=", 9) == 0) return argv[i] + 9;
  }
  return std::nullopt;
}

// CLI11's own English messages, as its exceptions write them, in the chosen language. The
// specific forms come before the general ones that would also match them.
std::string usage_error_for_people(const std::string& what) {
  return loa::i18n::tr_stored(what, {
                                        N_("A subcommand is required"),
                                        N_("Exactly 1 option from [{}] is required"),
                                        N_("Exactly 1 option from [{}] is required and {} were given"),
                                        N_("{} is required"),
                                        N_("The following argument was not expected: {}"),
                                        N_("The following arguments were not expected: {}"),
                                        N_("Could not convert: {} = {}"),
                                        N_("The value {} is not an allowed value for {}"),
                                        N_("{}: Value {} not in range {} to {}"),
                                        N_("{}: {} required {} missing"),
                                        N_("Expected exactly {} arguments to {}, got {}"),
                                        N_("Expected at least {} arguments to {}, got {}"),
                                        N_("{}: At Most {} required but received {}"),
                                        N_("{}: At least {} required but received {}"),
                                        N_("{} requires {}"),
                                        N_("{} excludes {}"),
                                        N_("{}: too many inputs for a flag"),
                                    });
}

// The help's own words (CLI11's labels and group names).
void speak_help(CLI::App& app) {
  auto f = app.get_formatter();
  for (const char* label : {N_("Usage"), N_("OPTIONS"), N_("SUBCOMMAND"), N_("SUBCOMMANDS"), N_("REQUIRED"),
                            N_("Positionals"), N_("Excludes"), N_("Needs"), N_("Env")})
    f->label(label, tr(label));
  app.option_defaults()->group(tr("Options"));
  app.set_help_flag("-h,--help", tr("Print this help message and exit"));
}

// The headings options and commands are listed under, at every level ("optout add"): a
// command's own --help is made before option_defaults reach it.
void name_groups(CLI::App& app) {
  if (CLI::Option* help = app.get_help_ptr()) help->group(tr("Options"));
  for (CLI::App* command : app.get_subcommands({})) {
    command->group(tr("Subcommands"));
    name_groups(*command);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loa::cli;
  // By the config's `language` when it can be read now, else by the locale; the session
  // chooses again once it has loaded the config.
  loa::i18n::choose(loa::config::peek_language(loa::config::resolve_config_path(config_flag_of(argc, argv))));
  CLI::App app(tr("Send and follow SMS announcements to a ward's residents through loa-gatewayd."), "loa");
  speak_help(app);
  app.footer(tr("Config: --config PATH, else $LOA_CONFIG, else /etc/loa/loa.yaml.\n"
                "Exit codes: 0 done; 2 bad usage or validation failure (nothing changed); 1 runtime failure.\n"
                "Run \"loa COMMAND --help\" for a command's options."));
  std::string config_flag, server_flag;
  app.add_option("--config", config_flag, tr("the config file (before the command)"))->type_name("PATH");
  app.add_option("--server", server_flag,
                 tr("work through the officials' API at URL with an account's token ($LOA_TOKEN or "
                    "~/.config/loa/token) instead of Redis (before the command)"))
      ->type_name("URL");
  app.require_subcommand(1);
  // Mistakes read as loa's other errors do; a word that is no command is named.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    std::string what = usage_error_for_people(e.what());
    if (auto rest = a->remaining(); !rest.empty() && a->get_subcommands().empty() && !rest.front().starts_with("-"))
      what = loa::i18n::trf("unknown command \"{}\"", rest.front());
    std::string hint = a->get_subcommands().empty() ? "loa --help" : "loa " + a->get_subcommands().front()->get_name() + " --help";
    return "loa: " + loa::i18n::trf("{} (see {})", what, hint) + "\n";
  });
  Session session(config_flag, server_flag);
  int exit_code = kOk;
  add_sending_commands(app, session, exit_code);
  add_following_commands(app, session, exit_code);
  add_operating_commands(app, session, exit_code);
  add_trust_commands(app, session, exit_code);
  add_calendar_commands(app, session, exit_code);
  add_remind_commands(app, session, exit_code);
  name_groups(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help asked for is a success; any other mistake on the command line is bad usage.
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  return exit_code;
}
