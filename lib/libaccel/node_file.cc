// node_file.cc - see node_file.h.
#include "node_file.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "own_memory.h"
#include "wire/runtime_dir.h"
#include "wire/wire.h"

namespace accel::client {
namespace {

constexpr off_t kSegmentOffset = static_cast<off_t>(wire::kStagedSegmentOffset);

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Reads every staged segment (they are at most about 1 MiB) and, when all lie inside
// `bounds`, writes each to its address.
int ApplyStagedSegments(int fd, const ReplyBounds& bounds) {
  std::vector<uint8_t> buf;
  uint8_t chunk[65536];
  for (;;) {
    ssize_t n = pread(fd, chunk, sizeof(chunk), kSegmentOffset + static_cast<off_t>(buf.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) break;
    buf.insert(buf.end(), chunk, chunk + n);
    if (buf.size() > (size_t{2} << 20)) return -EPROTO;
  }
  if (int rc = CheckSegments(buf, bounds); rc < 0) return rc;
  bool fault = false;
  Result<void> rc = wire::ForEachSegment(buf, [&](uint64_t addr, const uint8_t* d, uint32_t len) {
    if (WriteOwnMemory(addr, d, len) < 0) fault = true;
  });
  if (!rc) return -EPROTO;
  return fault ? -EFAULT : 0;
}

}  // namespace

TransportChoice ChosenTransport() {
  const char* t = std::getenv("ACCEL_TRANSPORT");
  if (t == nullptr) return TransportChoice::kAuto;
  if (std::strcmp(t, "socket") == 0) return TransportChoice::kSocket;
  if (std::strcmp(t, "node") == 0) return TransportChoice::kNode;
  return TransportChoice::kAuto;
}

std::string NodePath(const std::string& name) {
  if (const char* d = std::getenv("ACCEL_DEV_DIR"); d && *d)
    return std::string(d) + "/accel/" + name;
  const std::string dir = wire::ClientRuntimeDir();
  std::string path = dir + "/dev/accel/" + name;
  // A node under another user's fallback directory is theirs to fake: not taken.
  if (wire::CheckRuntimeDir(dir) == 0 && IsRegularFile(path)) return path;
  std::string dev = "/dev/accel/" + name;
  return IsRegularFile(dev) ? dev : path;
}

Result<int> OpenNode(const std::string& name, bool required) {
  if (name.find('/') != std::string::npos) return Err(EINVAL);
  const std::string path = NodePath(name);
  if (!required && !IsRegularFile(path)) return Err(ENOENT);
  int fd;
  do {
    fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Err(errno == ENOENT ? ENODEV : errno);
  return fd;
}

uint32_t NodeMinor(int fd) {
  accel_get_cap cap{ACCEL_CAP_MINOR, 0};
  return NodeIoctl(fd, ACCEL_IOCTL_GET_CAP, &cap) == 0 ? static_cast<uint32_t>(cap.value)
                                                       : UINT32_MAX;
}

int NodeIoctl(int fd, uint32_t cmd, void* arg, const ReplyBounds& bounds) {
  int rc;
  do {
    rc = ioctl(fd, cmd, arg);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return errno == ENOTCONN ? -ECONNRESET : -errno;
  return rc > 0 ? ApplyStagedSegments(fd, bounds) : 0;
}

}  // namespace accel::client
