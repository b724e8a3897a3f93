// ras_service_client.cc - see ras_service_client.h.
#include "ras_service_client.h"

#include <fmt/core.h>
#include <grpc/support/log.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "device_open.h"
#include "failure.h"
#include "node_owner.h"
#include "wire/runtime_dir.h"

namespace accelctl {
namespace {

constexpr int kConnectTimeoutMs = 5000;

// gRPC logs connection trouble on stderr by itself; accelctl says what went wrong in its one
// line instead. GRPC_VERBOSITY set by the user still gets gRPC's own lines, for debugging.
void QuietGrpcLog(gpr_log_func_args*) {}

// "group render" for the advice after -EACCES; "its group" when the socket cannot be seen.
std::string SocketGroup(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "its group";
  return "group " + GroupName(st.st_gid);
}

}  // namespace

std::string RasQuerySocketPath() {
  return accel::wire::RasSocketPath(accel::wire::ClientRuntimeDir());
}

int ConnectRasService(std::unique_ptr<accel::ras::RasGrpcClient>* client) {
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function(QuietGrpcLog);
  const std::string path = RasQuerySocketPath();
  auto connected = accel::ras::RasGrpcClient::Connect("unix:" + path, kConnectTimeoutMs);
  if (connected) {
    *client = std::move(*connected);
    return static_cast<int>(ExitStatus::kOk);
  }
  const int err = connected.error();
  if (err == -EACCES)
    return Fail(ExitStatus::kFailed,
                fmt::format("permission denied on acceld's RAS socket {}; ask for membership of "
                            "{}, or run as root",
                            path, SocketGroup(path)));
  return Fail(ExitStatus::kFailed,
              fmt::format("cannot reach acceld's RAS service at {} ({}); start an acceld with RAS "
                          "(as new as this accelctl) or set ACCEL_RUNTIME_DIR",
                          path, ErrnoText(err)));
}

int FailRasServiceCall(const std::string& call, const std::string& device, int err) {
  switch (-err) {
    case ENODEV:
      if (!device.empty()) return FailNoDevice(device);
      break;
    case ECONNREFUSED:
    case ECONNRESET:
    case ESHUTDOWN:
    case EPIPE:
      return Fail(ExitStatus::kFailed,
                  fmt::format("acceld's RAS service at {} went away during {} ({}); run the "
                              "command again once acceld is back",
                              RasQuerySocketPath(), call, ErrnoText(err)));
    default:
      break;
  }
  return Fail(ExitStatus::kFailed,
              fmt::format("RAS {} at {} failed: {}", call, RasQuerySocketPath(), ErrnoText(err)));
}

}  // namespace accelctl
