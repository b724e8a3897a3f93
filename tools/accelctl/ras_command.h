// ras_command.h - the `accelctl ras` command group: its command line and its dispatch.
//
//   accelctl ras formats accel0 [--json]          formats offered, firmware pass-through ones
//   accelctl ras show accel0 [--format F] [--raw] [--compact] [--json] [-o FILE]
//   accelctl ras watch [accel0] [--json] [--count N] [--timeout S]
//   accelctl ras log [--since T] [--until T] [--device D] [--severity S] [--limit N] [--json]
//   accelctl ras clear accel0                     (root)
//   accelctl ras inject accel0 --component C --severity S [--count N] [--address A]   (root)
//   accelctl ras thresholds [accel0] [--json]
//
// formats, show, clear and inject use the device's ioctls through libaccel; watch, log and
// thresholds use acceld's gRPC RAS service (ras_service_client.h). docs/ras/cli.md has
// examples of each.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_COMMAND_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_COMMAND_H_

#include <CLI/CLI.hpp>

#include "ras_admin.h"
#include "ras_log.h"
#include "ras_show.h"
#include "ras_thresholds.h"
#include "ras_watch.h"

namespace accelctl {

// The `ras` subcommand, its subcommands and their options.
struct RasCommandLine {
  CLI::App* ras = nullptr;
  CLI::App* formats = nullptr;
  CLI::App* show = nullptr;
  CLI::App* watch = nullptr;
  CLI::App* log = nullptr;
  CLI::App* clear = nullptr;
  CLI::App* inject = nullptr;
  CLI::App* thresholds = nullptr;
  RasFormatsOptions formats_options;
  RasShowOptions show_options;
  RasWatchOptions watch_options;
  RasLogOptions log_options;
  RasClearOptions clear_options;
  RasInjectOptions inject_options;
  RasThresholdsOptions thresholds_options;
};

// Adds `ras` and its subcommands to `app`.
void DefineRasCommands(CLI::App& app, RasCommandLine& ras);

// The `ras` subcommand chosen (show, log, ...), or nullptr.
const CLI::App* ChosenRasCommand(const RasCommandLine& ras);

// Runs the chosen `ras` subcommand; returns the exit status.
int RunRasCommand(const RasCommandLine& ras);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_COMMAND_H_
