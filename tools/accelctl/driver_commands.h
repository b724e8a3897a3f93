// driver_commands.h - `accelctl load` and `accelctl unload`: this system's insmod and rmmod.
//
// acceld loads driver plugins (DRIVER.so, found through its search path) and unloads them;
// both are root-only and judged by acceld from the caller's credentials, so accelctl does not
// check privileges itself, it explains acceld's answer.
#ifndef ACCEL_TOOLS_ACCELCTL_DRIVER_COMMANDS_H_
#define ACCEL_TOOLS_ACCELCTL_DRIVER_COMMANDS_H_

#include <string>
#include <vector>

namespace accelctl {

struct LoadOptions {
  std::string driver;
  std::vector<std::string> args;  // "count=2" ...; joined with spaces for the driver
};

struct UnloadOptions {
  std::string driver;
  bool force = false;  // unplug the driver's devices even while files are open
};

// Each returns the exit status (failures as in failure.h).
int RunLoad(const LoadOptions& options);
int RunUnload(const UnloadOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_DRIVER_COMMANDS_H_
