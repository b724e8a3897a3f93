// failure.h - how accelctl reports that something went wrong.
//
// Every failure is exactly one line on stderr, "accelctl: <what went wrong>; <what to do>",
// followed by a non-zero exit: scripts can rely on the status, people on the one line. Each
// command returns its exit status, so the line is printed where the failure is understood:
//
//   if (rc == -ENODEV) return Fail(ExitStatus::kFailed, fmt::format("no device {}", name));
#ifndef ACCEL_TOOLS_ACCELCTL_FAILURE_H_
#define ACCEL_TOOLS_ACCELCTL_FAILURE_H_

#include <string>
#include <string_view>

namespace accelctl {

// The process exit statuses accelctl uses.
enum class ExitStatus : int {
  kOk = 0,
  kFailed = 1,  // an operation failed (daemon unreachable, permission, device gone, ...)
  kUsage = 2,   // the command line was wrong
};

// Prints "accelctl: <message>" on stderr and returns the status as an exit code.
int Fail(ExitStatus status, std::string_view message);

// The socket path libaccel connects to, for messages ("?" if it cannot be formed).
std::string DaemonSocketPath();

// True for the errnos that mean "acceld could not be reached or spoke no common protocol",
// as opposed to an answer from acceld.
bool IsUnreachable(int negative_errno);

// The one-line failure for an unreachable acceld, with advice on how to start or find it.
int FailUnreachable(int negative_errno);

// strerror() of a negative errno.
std::string ErrnoText(int negative_errno);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_FAILURE_H_
