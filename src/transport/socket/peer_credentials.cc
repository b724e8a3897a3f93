// peer_credentials.cc - see peer_credentials.h.
#include "transport/socket/peer_credentials.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

namespace accel::transport {

bool EnablePassCred(int fd) {
  int one = 1;
  return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0;
}

std::vector<uint32_t> PeerGroups(int fd) {
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 4; ++attempt) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return {groups.begin(), groups.end()};
    }
    if (errno != ERANGE) return {};
    groups.resize(len / sizeof(gid_t) + 1);  // the kernel says how much it needs
  }
  return {};
}

std::optional<core::Caller> PeerCred(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  return core::Caller{static_cast<uint32_t>(cred.uid), static_cast<uint32_t>(cred.gid),
                      static_cast<uint32_t>(cred.pid)};
}

std::optional<core::Caller> MessageCred(const msghdr& msg) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
        c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      ucred cred;
      std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
      return core::Caller{static_cast<uint32_t>(cred.uid), static_cast<uint32_t>(cred.gid),
                          static_cast<uint32_t>(cred.pid)};
    }
  }
  return std::nullopt;
}

}  // namespace accel::transport
