// peer_credentials.h - who sent a frame: SCM_CREDENTIALS per message, SO_PEERGROUPS per
// connection.
#ifndef ACCEL_TRANSPORT_SOCKET_PEER_CREDENTIALS_H_
#define ACCEL_TRANSPORT_SOCKET_PEER_CREDENTIALS_H_

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/caller.h"

namespace accel::transport {

// Turns on SO_PASSCRED so that the kernel attaches credentials to every message.
bool EnablePassCred(int fd);
// The supplementary groups of the peer (as of connect()), from SO_PEERGROUPS.
std::vector<uint32_t> PeerGroups(int fd);
// The connecting process's credentials, from SO_PEERCRED.
std::optional<core::Caller> PeerCred(int fd);
// The SCM_CREDENTIALS of a received message, if the kernel attached them.
std::optional<core::Caller> MessageCred(const msghdr& msg);

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_PEER_CREDENTIALS_H_
