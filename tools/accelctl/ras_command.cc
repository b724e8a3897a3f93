// ras_command.cc - see ras_command.h.
#include "ras_command.h"

#include <cstdint>
#include <limits>

#include "device_name.h"
#include "failure.h"
#include "ras_names.h"

namespace accelctl {
namespace {

// Bounded so that the deadline cannot overflow the clock; a billion seconds is ~31 years.
constexpr double kMaxTimeoutSeconds = 1e9;
// acceld answers at most this many events per Log call (daemon/ras_service_impl.h).
constexpr uint32_t kMaxLogLimit = 10000;

void AddDeviceArgument(CLI::App* command, std::string& device, bool required) {
  CLI::Option* option = command->add_option("DEVICE", device, "device name, e.g. accel0")
                            ->check(DeviceNameValidator());
  if (required) option->required();
}

void DefineFormats(RasCommandLine& cl) {
  cl.formats = cl.ras->add_subcommand(
      "formats", "the RAS formats a device offers, and which are its firmware's own");
  AddDeviceArgument(cl.formats, cl.formats_options.device, true);
  cl.formats->add_flag("--json", cl.formats_options.json, "print a JSON object");
}

void DefineShow(RasCommandLine& cl) {
  RasShowOptions& o = cl.show_options;
  cl.show = cl.ras->add_subcommand(
      "show", "a device's RAS state: identity, counters, last events, retired pages");
  AddDeviceArgument(cl.show, o.device, true);
  CLI::Option* format =
      cl.show->add_option("--format", o.format, "write the payload of this format instead")
          ->type_name("FORMAT")
          ->check(RasFormatValidator());
  cl.show->add_flag("--raw", o.raw, "the firmware's own blob, untouched (pass-through formats)")
      ->needs(format);
  cl.show->add_flag("--compact", o.compact, "thrift's compact protocol instead of binary")
      ->needs(format);
  cl.show->add_flag("--json", o.json, "print the JSON payload itself instead of the report")
      ->excludes(format);
  cl.show->add_option("-o,--output", o.output, "write to FILE instead of stdout")
      ->type_name("FILE");
  cl.show->add_option("--events", o.events, "events shown in the report (default 10)")
      ->type_name("N")
      ->check(CLI::Range(size_t{0}, size_t{4096}));
}

void DefineWatch(RasCommandLine& cl) {
  RasWatchOptions& o = cl.watch_options;
  cl.watch = cl.ras->add_subcommand(
      "watch", "print RAS events as they happen, one line each (all devices, or one)");
  AddDeviceArgument(cl.watch, o.device, false);
  cl.watch->add_flag("--json", o.json, "print one JSON object per line");
  cl.watch->add_option("--count", o.count, "exit after N events")
      ->type_name("N")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000000}));
  cl.watch->add_option("--timeout", o.timeout_seconds, "exit after SECONDS without an event")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, kMaxTimeoutSeconds));
}

void DefineLog(RasCommandLine& cl) {
  RasLogOptions& o = cl.log_options;
  cl.log = cl.ras->add_subcommand("log", "the RAS event history, oldest first");
  cl.log
      ->add_option("--since", o.since,
                   "from T on: ISO-8601 UTC (2026-11-25T18:00:00Z), epoch seconds or an age "
                   "(10m, 2h, 3d)")
      ->type_name("T");
  cl.log->add_option("--until", o.until, "before T (same forms as --since)")->type_name("T");
  cl.log->add_option("--device", o.device, "one device, by name or serial")->type_name("D");
  cl.log->add_option("--severity", o.severity, "only this severity")
      ->type_name("S")
      ->check(RasSeverityValidator());
  cl.log->add_option("--limit", o.limit, "the newest N matching events (default 1000)")
      ->type_name("N")
      ->check(CLI::Range(uint32_t{1}, kMaxLogLimit));
  cl.log->add_flag("--json", o.json, "print a JSON array");
}

void DefineAdmin(RasCommandLine& cl) {
  cl.clear = cl.ras->add_subcommand(
      "clear", "zero a device's volatile RAS counters; aggregate ones stay (root only)");
  AddDeviceArgument(cl.clear, cl.clear_options.device, true);

  RasInjectOptions& o = cl.inject_options;
  cl.inject = cl.ras->add_subcommand(
      "inject", "make a device report errors, as a real error would (root only)");
  AddDeviceArgument(cl.inject, o.device, true);
  cl.inject->add_option("--component", o.component, "component name, e.g. hbm0")
      ->type_name("C")
      ->required();
  cl.inject
      ->add_option("--severity", o.severity,
                   "corrected, deferred, uncorrected, fatal or "
                   "informational")
      ->type_name("S")
      ->required()
      ->check(RasSeverityValidator());
  cl.inject->add_option("--count", o.count, "errors the event stands for (default 1)")
      ->type_name("N")
      ->check(CLI::Range(uint32_t{1}, std::numeric_limits<uint32_t>::max()));
  cl.inject
      ->add_option("--address", o.address, "device physical address (memory errors), e.g. 0x1000")
      ->type_name("A");
}

void DefineThresholds(RasCommandLine& cl) {
  cl.thresholds = cl.ras->add_subcommand(
      "thresholds", "RAS thresholds: rule, errors in the window, crossings, state");
  AddDeviceArgument(cl.thresholds, cl.thresholds_options.device, false);
  cl.thresholds->add_flag("--json", cl.thresholds_options.json, "print a JSON array");
}

}  // namespace

void DefineRasCommands(CLI::App& app, RasCommandLine& cl) {
  cl.ras = app.add_subcommand("ras", "RAS: error counters, events, history and thresholds");
  DefineFormats(cl);
  DefineShow(cl);
  DefineWatch(cl);
  DefineLog(cl);
  DefineAdmin(cl);
  DefineThresholds(cl);
}

const CLI::App* ChosenRasCommand(const RasCommandLine& cl) {
  for (const CLI::App* command :
       {cl.formats, cl.show, cl.watch, cl.log, cl.clear, cl.inject, cl.thresholds})
    if (command->parsed()) return command;
  return nullptr;
}

int RunRasCommand(const RasCommandLine& cl) {
  const CLI::App* command = ChosenRasCommand(cl);
  if (command == cl.formats) return RunRasFormats(cl.formats_options);
  if (command == cl.show) return RunRasShow(cl.show_options);
  if (command == cl.watch) return RunRasWatch(cl.watch_options);
  if (command == cl.log) return RunRasLog(cl.log_options);
  if (command == cl.clear) return RunRasClear(cl.clear_options);
  if (command == cl.inject) return RunRasInject(cl.inject_options);
  if (command == cl.thresholds) return RunRasThresholds(cl.thresholds_options);
  return Fail(ExitStatus::kUsage,
              "a ras command is required: formats, show, watch, log, clear, inject or "
              "thresholds; see `accelctl ras --help`");
}

}  // namespace accelctl
