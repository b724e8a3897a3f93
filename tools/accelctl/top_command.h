// top_command.h - `accelctl top`: what every device and every client of it is doing, live, as
// nvtop and qmassa show GPUs and NPUs.
//
// Every interval it fetches the DRM fdinfo of every open file (accel_clients) and prints one
// row per device (driver, clients, how busy its engines were) and one per client (pid, user,
// command, client id, device, busy per engine, memory), busiest first:
//
//   accelctl top  12:00:01  every 1.0 s
//   DEVICE  DRIVER  CLIENTS  BUSY
//   accel0  dummy   1        12.5%
//
//   PID   USER  COMMAND  CLIENT  DEVICE  BUSY   ENGINES        MEMORY  RESIDENT
//   4242  root  trainer  7       accel0  12.5%  compute 12.5%  64 KiB  64 KiB
//
// A frame's busy figures cover the interval before it, so the first frame comes one interval
// after the start; --once prints a single sample at once, with no busy figures. The screen is
// cleared between frames only when stdout is a terminal; otherwise frames follow each other,
// separated by an empty line, so that a pipe or a log gets plain text. Root sees every client,
// other users their own.
#ifndef ACCEL_TOOLS_ACCELCTL_TOP_COMMAND_H_
#define ACCEL_TOOLS_ACCELCTL_TOP_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>

namespace accelctl {

struct TopOptions {
  std::string device;              // only this device; empty for all
  double interval_seconds = 1.0;   // -d
  std::optional<uint64_t> frames;  // -n: stop after this many frames; forever without
  bool once = false;               // one sample, no busy figures
};

// Prints frames until -n is reached (or forever); returns the exit status.
int RunTop(const TopOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_TOP_COMMAND_H_
