// accelctl - the operator's CLI for accel: list devices, inspect one, load and unload drivers,
// watch devices come and go, read and manage their RAS state.
//
//   accelctl list [--json]             every device acceld serves
//   accelctl info accel0 [--json]      driver, capabilities and RAS counters of one device
//   accelctl load dummy count=2        load a driver plugin (root)
//   accelctl unload dummy [--force]    unload it (root)
//   accelctl monitor [--json]          devices added, removed, changed, wedged, recovered
//   accelctl top [-d SECONDS] [-n N]   devices and their clients, live (engine busy, memory)
//   accelctl ras ...                   RAS formats, state, events, history, thresholds
//                                      (ras_command.h)
//   accelctl vnpu ...                  vnpu's parameters, faults, a selftest (vnpu_command.h)
//
// accelctl reaches devices only through libaccel's public API, as any client program would, and
// acceld's RAS service through its gRPC client. Failures are one line on stderr and a non-zero
// exit: 1 when an operation failed, 2 when the command line was wrong.
#include <accel/libaccel.h>
#include <fmt/core.h>
#include <uapi/accel/accel.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "device_name.h"
#include "driver_commands.h"
#include "failure.h"
#include "info_command.h"
#include "list_command.h"
#include "monitor_command.h"
#include "ras_command.h"
#include "top_command.h"
#include "vnpu_command.h"

namespace {

using accelctl::ExitStatus;

std::string VersionText() {
  return fmt::format("accelctl {} (libaccel {}.{}, accel uAPI {}.{})", ACCELCTL_VERSION,
                     LIBACCEL_VERSION_MAJOR, LIBACCEL_VERSION_MINOR, ACCEL_UAPI_VERSION_MAJOR,
                     ACCEL_UAPI_VERSION_MINOR);
}

// The parsed command line: which subcommand was chosen and its options.
struct CommandLine {
  CLI::App app{
      "accelctl: list accel devices, show one, load and unload drivers, watch hot-plug and "
      "usage, read RAS state",
      "accelctl"};
  CLI::App* list = nullptr;
  CLI::App* info = nullptr;
  CLI::App* load = nullptr;
  CLI::App* unload = nullptr;
  CLI::App* monitor = nullptr;
  CLI::App* top = nullptr;
  accelctl::ListOptions list_options;
  accelctl::InfoOptions info_options;
  accelctl::LoadOptions load_options;
  accelctl::UnloadOptions unload_options;
  accelctl::MonitorOptions monitor_options;
  accelctl::TopOptions top_options;
  accelctl::RasCommandLine ras;
  accelctl::VnpuCommandLine vnpu;
};

void DefineMonitorCommand(CommandLine& cl) {
  cl.monitor = cl.app.add_subcommand(
      "monitor",
      "print devices added, removed, changed, wedged and recovered, one line per event as it "
      "happens");
  cl.monitor->add_flag("--json", cl.monitor_options.json, "print one JSON object per line");
  cl.monitor->add_option("--count", cl.monitor_options.count, "exit after N events")
      ->type_name("N")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000000}));
  // Bounded so that the deadline cannot overflow the clock; a billion seconds is ~31 years.
  cl.monitor
      ->add_option("--timeout", cl.monitor_options.timeout_seconds,
                   "exit after SECONDS without an event")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 1e9));
}

void DefineTopCommand(CommandLine& cl) {
  cl.top = cl.app.add_subcommand(
      "top", "show each device and each client's engine use and memory, refreshed every interval");
  cl.top->add_option("DEVICE", cl.top_options.device, "only this device, e.g. accel0")
      ->check(accelctl::DeviceNameValidator());
  // At least a millisecond, so that a typo cannot turn top into a busy loop against acceld.
  cl.top->add_option("-d,--delay", cl.top_options.interval_seconds, "seconds between frames")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.001, 86400.0));
  cl.top->add_option("-n,--iterations", cl.top_options.frames, "exit after N frames")
      ->type_name("N")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000000}));
  cl.top->add_flag("--once", cl.top_options.once, "print one sample at once (no busy figures)");
}

void DefineCommands(CommandLine& cl) {
  cl.app.set_version_flag("--version", VersionText());
  // Not require_subcommand(): CLI11 would then call a mistyped command "missing" rather than
  // name it as unexpected.
  cl.app.footer(fmt::format("acceld is reached at {} (set ACCEL_RUNTIME_DIR to use another).",
                            accelctl::DaemonSocketPath()));

  cl.list = cl.app.add_subcommand("list", "list the devices acceld serves");
  cl.list->add_flag("--json", cl.list_options.json, "print a JSON array");

  cl.info = cl.app.add_subcommand("info", "show a device's driver, capabilities and RAS counters");
  cl.info->add_option("DEVICE", cl.info_options.device, "device name, e.g. accel0")
      ->required()
      ->check(accelctl::DeviceNameValidator());
  cl.info->add_flag("--json", cl.info_options.json, "print a JSON object");

  cl.load = cl.app.add_subcommand("load", "load a driver plugin into acceld (root only)");
  cl.load->add_option("DRIVER", cl.load_options.driver, "driver name, e.g. dummy")->required();
  cl.load->add_option("ARGS", cl.load_options.args, "driver arguments, e.g. count=2");

  cl.unload = cl.app.add_subcommand("unload", "unload a driver from acceld (root only)");
  cl.unload->add_option("DRIVER", cl.unload_options.driver, "driver name")->required();
  cl.unload->add_flag("--force", cl.unload_options.force,
                      "unplug its devices even while they are open");

  DefineMonitorCommand(cl);
  DefineTopCommand(cl);
  accelctl::DefineRasCommands(cl.app, cl.ras);
  accelctl::DefineVnpuCommands(cl.app, cl.vnpu);
}

// The subcommand the user chose, or nullptr.
const CLI::App* ChosenCommand(const CommandLine& cl) {
  for (const CLI::App* command :
       {cl.list, cl.info, cl.load, cl.unload, cl.monitor, cl.top, cl.ras.ras, cl.vnpu.vnpu})
    if (command->parsed()) return command;
  return nullptr;
}

int RunChosenCommand(const CommandLine& cl) {
  const CLI::App* command = ChosenCommand(cl);
  if (command == cl.list) return accelctl::RunList(cl.list_options);
  if (command == cl.info) return accelctl::RunInfo(cl.info_options);
  if (command == cl.load) return accelctl::RunLoad(cl.load_options);
  if (command == cl.unload) return accelctl::RunUnload(cl.unload_options);
  if (command == cl.monitor) return accelctl::RunMonitor(cl.monitor_options);
  if (command == cl.top) return accelctl::RunTop(cl.top_options);
  if (command == cl.ras.ras) return accelctl::RunRasCommand(cl.ras);
  if (command == cl.vnpu.vnpu) return accelctl::RunVnpuCommand(cl.vnpu);
  return accelctl::Fail(
      ExitStatus::kUsage,
      "a command is required: list, info, load, unload, monitor, top, ras or vnpu; see "
      "`accelctl --help`");
}

int FailUsage(const CommandLine& cl, const CLI::ParseError& e) {
  const CLI::App* command = ChosenCommand(cl);
  std::string help = command ? "accelctl " + command->get_name() : "accelctl";
  if (command == cl.ras.ras) {
    if (const CLI::App* ras_command = accelctl::ChosenRasCommand(cl.ras))
      help += " " + ras_command->get_name();
  }
  if (command == cl.vnpu.vnpu) {
    if (const CLI::App* vnpu_command = accelctl::ChosenVnpuCommand(cl.vnpu))
      help += " " + vnpu_command->get_name();
  }
  help += " --help";
  return accelctl::Fail(ExitStatus::kUsage, fmt::format("{}; see `{}`", e.what(), help));
}

int Main(int argc, char** argv) {
  CommandLine cl;
  DefineCommands(cl);
  try {
    cl.app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "successful" parse errors; CLI11 prints them.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return cl.app.exit(e);
    return FailUsage(cl, e);
  }
  return RunChosenCommand(cl);
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing below throws by design, but a failed allocation or a library surprise must still
  // end as one line and a status, not as std::terminate's abort.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    return accelctl::Fail(ExitStatus::kFailed, fmt::format("internal error: {}", e.what()));
  }
}
