// top_command.cc - see top_command.h.
//
// Each frame is two samples of the same things: accel_list() for the devices (so idle ones show)
// and accel_clients() for the open files. Samples are timed with the monotonic clock, and busy
// figures use the time that really passed between them, not the interval asked for: a slow
// sample or a loaded machine must not inflate them.
#include "top_command.h"

#include <fmt/core.h>
#include <pwd.h>
#include <unistd.h>
#include <accel/accel.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "device_entry.h"
#include "failure.h"
#include "text_table.h"
#include "top_stats.h"

namespace accelctl {
namespace {

using Clock = std::chrono::steady_clock;

struct Sample {
  std::vector<std::pair<std::string, std::string>> devices;  // (name, driver)
  std::vector<ClientSample> clients;
  Clock::time_point taken;
};

// A failure as one line; nullopt when there was none.
std::optional<int> SampleFailure(int err, const std::string& device) {
  if (err >= 0) return std::nullopt;
  if (IsUnreachable(err)) return FailUnreachable(err);
  if (err == -EOPNOTSUPP)
    return Fail(ExitStatus::kFailed,
                fmt::format("acceld at {} does not report its clients; use an acceld as new as "
                            "this accelctl",
                            DaemonSocketPath()));
  if (err == -ENODEV)
    return Fail(ExitStatus::kFailed,
                fmt::format("no device {}; `accelctl list` shows the devices there are", device));
  return Fail(ExitStatus::kFailed, fmt::format("cannot read the clients of {}: {}",
                                               device.empty() ? "acceld" : device, ErrnoText(err)));
}

// Fills *out, or returns the exit status of the failure it already reported.
std::optional<int> TakeSample(const std::string& device, Sample* out) {
  accel::Result<std::vector<accel_device_entry>> devs = accel::ListDevices();
  if (!devs) return SampleFailure(devs.error(), device);
  accel::Result<std::string> text = accel::Clients(device);
  if (!text) return SampleFailure(text.error(), device);
  out->taken = Clock::now();
  out->devices.clear();
  for (const accel_device_entry& e : *devs) {
    const std::string name = RecordString(e.name);
    if (device.empty() || name == device) out->devices.push_back({name, RecordString(e.driver)});
  }
  out->clients = ParseClients(*text);
  return std::nullopt;
}

std::string UserName(const std::optional<uint32_t>& uid) {
  if (!uid) return "-";
  passwd pw{}, *found = nullptr;
  char buf[1024];
  if (getpwuid_r(*uid, &pw, buf, sizeof(buf), &found) == 0 && found) return found->pw_name;
  return std::to_string(*uid);
}

// The process's command name (/proc/PID/comm), "-" when it is gone or not ours to see.
std::string CommandName(const std::optional<uint32_t>& pid) {
  if (!pid || *pid == 0) return "-";
  std::ifstream in("/proc/" + std::to_string(*pid) + "/comm");
  std::string comm;
  if (!std::getline(in, comm) || comm.empty()) return "-";
  return comm;
}

std::string PercentText(const std::optional<double>& p) {
  return p ? fmt::format("{:.1f}%", *p) : "-";
}

// "compute 12.5%, copy 0.0%", or the engines' total time when there is no interval yet.
std::string EnginesText(const ClientRow& row) {
  std::string out;
  for (const auto& [engine, ns] : row.sample.engine_ns) {
    if (!out.empty()) out += ", ";
    auto busy = row.busy.find(engine);
    out += busy != row.busy.end()
               ? fmt::format("{} {:.1f}%", engine, busy->second)
               : fmt::format("{} {:.3f}s", engine, static_cast<double>(ns) / 1e9);
  }
  return out.empty() ? "-" : out;
}

std::string Header(const TopOptions& options, bool timed) {
  const std::time_t now = std::time(nullptr);
  char clock[16] = "?";
  std::tm tm{};
  if (localtime_r(&now, &tm)) std::strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
  if (!timed) return fmt::format("accelctl top  {}  one sample\n", clock);
  return fmt::format("accelctl top  {}  every {:.1f} s\n", clock, options.interval_seconds);
}

std::string Render(const TopFrame& f, const TopOptions& options, bool timed) {
  std::string out = Header(options, timed);
  TextTable devices({"DEVICE", "DRIVER", "CLIENTS", "BUSY"});
  for (const DeviceRow& d : f.devices)
    devices.AddRow({d.device, d.driver, std::to_string(d.clients), PercentText(d.busy)});
  out += devices.Render();
  out += "\n";
  if (f.clients.empty()) return out + "no clients\n";
  TextTable clients(
      {"PID", "USER", "COMMAND", "CLIENT", "DEVICE", "BUSY", "ENGINES", "MEMORY", "RESIDENT"});
  for (const ClientRow& c : f.clients) {
    const ClientSample& s = c.sample;
    clients.AddRow({s.pid ? std::to_string(*s.pid) : "-", UserName(s.uid), CommandName(s.pid),
                    std::to_string(s.client_id), s.device, PercentText(c.total_busy),
                    EnginesText(c), FormatBytes(c.memory), FormatBytes(c.resident)});
  }
  return out + clients.Render();
}

void Print(const std::string& frame, bool first) {
  if (isatty(STDOUT_FILENO))
    fmt::print("\033[H\033[2J");  // a live view: each frame replaces the last
  else if (!first)
    fmt::print("\n");  // a log: frames one after another
  fmt::print("{}", frame);
  std::fflush(stdout);
}

}  // namespace

int RunTop(const TopOptions& options) {
  Sample prev;
  if (std::optional<int> failed = TakeSample(options.device, &prev)) return *failed;
  if (options.once) {
    Print(Render(ComputeFrame(nullptr, prev.clients, 0, prev.devices), options, false), true);
    return static_cast<int>(ExitStatus::kOk);
  }
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.interval_seconds));
  for (uint64_t frame = 0; !options.frames || frame < *options.frames; ++frame) {
    std::this_thread::sleep_until(prev.taken + interval);
    Sample cur;
    if (std::optional<int> failed = TakeSample(options.device, &cur)) return *failed;
    const double elapsed_ns =
        std::chrono::duration<double, std::nano>(cur.taken - prev.taken).count();
    Print(Render(ComputeFrame(&prev.clients, cur.clients, elapsed_ns, cur.devices), options, true),
          frame == 0);
    prev = std::move(cur);
  }
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
