// control_ops.h - the socket's control operations: LIST, DRIVERS, CLIENTS, LOAD and UNLOAD.
//
// DOC: what they are and why they live apart
//
// These are the operations that name no open file (docs/wire-protocol.md, "Operations"):
// three read the registry (the devices, the loaded drivers, every open file's usage) and two
// are this system's insmod and rmmod. None keeps state of its own connection, so they are
// kept apart from the session in server.cc, which owns what does (the handshake, the open
// file and its IOCTLs, the monitor stream) and decides which protocol version may call what.
//
// One ControlOps serves every connection of a SocketServer and lives as long as it. Each
// operation is judged from the caller of its own frame (LOAD and UNLOAD are root-only per
// frame), replaces `out` with the reply's payload (empty when there is none) and returns the
// reply's status. LOADs and UNLOADs of all connections serialise on one mutex here.
//
//   ControlOps ops(registry, loader);
//   int32_t status = ops.Load(frame, caller, out);   // -EPERM, -ENOENT, ...; out = the reason
#ifndef ACCEL_TRANSPORT_SOCKET_CONTROL_OPS_H_
#define ACCEL_TRANSPORT_SOCKET_CONTROL_OPS_H_

#include <cstdint>
#include <mutex>
#include <vector>

#include "core/caller.h"
#include "core/driver_control.h"
#include "core/registry.h"
#include "wire/wire.h"

namespace accel::transport {

class ControlOps {
 public:
  ControlOps(core::Registry& registry, core::DriverControl& loader)
      : registry_(registry), loader_(loader) {}
  ControlOps(const ControlOps&) = delete;
  ControlOps& operator=(const ControlOps&) = delete;

  // LIST: a ListHeader, then one DeviceRecord per device.
  int32_t List(std::vector<uint8_t>& out) const;
  // DRIVERS: the loaded drivers' names, each followed by a NUL.
  int32_t Drivers(std::vector<uint8_t>& out) const;
  // CLIENTS: the fdinfo blocks of every device (or of the one named) that `caller` may see,
  // each led by the device's name, as many as fit in a frame from block `arg` on.
  int32_t Clients(const wire::FrameView& f, const core::Caller& caller,
                  std::vector<uint8_t>& out) const;
  // LOAD: root only. On failure `out` holds the loader's reason, for the operator.
  int32_t Load(const wire::FrameView& f, const core::Caller& caller, std::vector<uint8_t>& out);
  // UNLOAD: root only; `arg` may carry kUnloadForce and nothing else.
  int32_t Unload(const wire::FrameView& f, const core::Caller& caller, std::vector<uint8_t>& out);

 private:
  core::Registry& registry_;
  core::DriverControl& loader_;
  std::mutex modules_mu_;  // serialises LOAD/UNLOAD
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_CONTROL_OPS_H_
