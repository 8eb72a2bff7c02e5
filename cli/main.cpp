// loa: the command line for ward officials and cron.
#include "cli/commands.h"

int main(int argc, char** argv) { return loa::cli::run(argc, argv); }
