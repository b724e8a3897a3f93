// driver_commands.cc - see driver_commands.h.
//
// libaccel reports "no socket" and "no such driver" with the same -ENOENT. acceld always
// explains a failed load in its reply and libaccel only fills `why` from a reply, so an empty
// reason means the daemon was never reached. Unload carries no reason, so it asks the daemon
// for its driver list first: that separates an unreachable acceld from an unknown driver.
#include "driver_commands.h"

#include <accel/libaccel.h>
#include <fmt/core.h>

#include <cerrno>

#include "failure.h"

namespace accelctl {
namespace {

// Room for acceld's reason, which names the plugin search path.
constexpr size_t kReasonSize = 1024;
// Room for the names of every loaded driver (each at most 31 bytes plus a NUL).
constexpr size_t kDriverListSize = 8192;

std::string JoinArgs(const std::vector<std::string>& args) {
  std::string joined;
  for (const std::string& arg : args) joined += (joined.empty() ? "" : " ") + arg;
  return joined;
}

int FailLoad(const std::string& driver, int err, const std::string& reason) {
  if (reason.empty() && IsUnreachable(err)) return FailUnreachable(err);
  if (err == -EPERM)
    return Fail(ExitStatus::kFailed, "loading drivers needs root; run accelctl as root");
  if (err == -EEXIST)
    return Fail(ExitStatus::kFailed,
                fmt::format("driver {} is already loaded; unload it first with "
                            "`accelctl unload {}`",
                            driver, driver));
  const std::string why = reason.empty() ? ErrnoText(err) : reason;
  if (err == -ENOENT)
    return Fail(ExitStatus::kFailed,
                fmt::format("cannot load driver {}: {}; check the name, or give acceld the "
                            "plugin's directory (ACCEL_DRIVER_PATH or --driver-path)",
                            driver, why));
  return Fail(ExitStatus::kFailed,
              fmt::format("cannot load driver {}: {}; see acceld's log", driver, why));
}

int FailUnload(const UnloadOptions& options, int err) {
  if (IsUnreachable(err)) return FailUnreachable(err);
  if (err == -EPERM)
    return Fail(ExitStatus::kFailed, "unloading drivers needs root; run accelctl as root");
  if (err == -EBUSY)
    return Fail(
        ExitStatus::kFailed,
        fmt::format("driver {} has open devices; close them or use --force", options.driver));
  return Fail(ExitStatus::kFailed,
              fmt::format("cannot unload driver {}: {}", options.driver, ErrnoText(err)));
}

}  // namespace

int RunLoad(const LoadOptions& options) {
  const std::string args = JoinArgs(options.args);
  char reason[kReasonSize] = "";
  int rc = accel_driver_load(options.driver.c_str(), args.c_str(), reason, sizeof(reason));
  if (rc < 0) return FailLoad(options.driver, rc, reason);
  fmt::print("loaded driver {}{}{}\n", options.driver, args.empty() ? "" : " ", args);
  return static_cast<int>(ExitStatus::kOk);
}

int RunUnload(const UnloadOptions& options) {
  char names[kDriverListSize];
  if (int rc = accel_driver_list(names, sizeof(names)); rc < 0 && rc != -ENOSPC)
    return FailUnreachable(rc);
  const unsigned flags = options.force ? ACCEL_UNLOAD_FORCE : 0;
  int rc = accel_driver_unload(options.driver.c_str(), flags);
  if (rc == -ENOENT)
    return Fail(ExitStatus::kFailed,
                fmt::format("driver {} is not loaded; nothing to unload", options.driver));
  if (rc < 0) return FailUnload(options, rc);
  fmt::print("unloaded driver {}{}\n", options.driver, options.force ? " (forced)" : "");
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
