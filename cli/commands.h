// The `loa` command line (CONTRACT.md "The command line"), thin over loa_core.
#pragma once

namespace loa::cli {

/// Runs `loa` with its arguments; returns the exit code (0 done, 2 bad usage or
/// validation failure, 1 runtime failure).
int run(int argc, char** argv);

}  // namespace loa::cli
