// ras_service_client.h - reaching acceld's gRPC RAS service (accel.ras.v1.Ras) from accelctl.
//
// acceld serves it on RUNTIME/ras.sock beside acceld.sock (RUNTIME is the directory libaccel
// uses: $ACCEL_RUNTIME_DIR, /run/accel for root, ...). `ras watch`, `ras log` and
// `ras thresholds` use it: they are about every device and the persisted history, which the
// per-device ioctls do not reach.
//
//   std::unique_ptr<accel::ras::RasGrpcClient> client;
//   if (int status = ConnectRasService(&client)) return status;
//   auto log = client->Log(query);
//   if (!log) return FailRasServiceCall("Log", "", log.error());
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_SERVICE_CLIENT_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_SERVICE_CLIENT_H_

#include <memory>
#include <string>

#include "rasclient/ras_grpc_client.h"

namespace accelctl {

// RUNTIME/ras.sock ("?" if the runtime dir cannot be formed).
std::string RasQuerySocketPath();

// Exit status 0 with *client connected, or the one-line failure naming the socket.
int ConnectRasService(std::unique_ptr<accel::ras::RasGrpcClient>* client);

// The one line for a failed call: unknown device (`device` non-empty), the service gone, or
// the errno.
int FailRasServiceCall(const std::string& call, const std::string& device, int negative_errno);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_SERVICE_CLIENT_H_
