// main.cc - vnpu-fw, the emulated firmware of vnpu, as its own process.
//
//   vnpu-fw --shm-fd 3 --kick-fd 4 --call-fd 5 --heartbeat-ms N [--serial S] [--parent-pid P]
//           [--uid U --gid G]
//
// Started by the driver (fwlink/firmware_process.h), never by hand: the descriptors are the
// shared region (a sealed memfd) and the kick/call eventfds. The firmware must not outlive its
// driver, so it asks for SIGKILL when its parent goes (PR_SET_PDEATHSIG) and then checks that
// the parent is still the one that started it: if the driver died before the request was
// armed, the signal will never come. Before it serves the ring it drops to --uid/--gid and
// enters its sandbox (sandbox.h). Exit codes: firmware.h (kExit*).
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "drivers/vnpu/firmware/firmware.h"
#include "drivers/vnpu/firmware/sandbox.h"
#include "drivers/vnpu/fwlink/shared_region.h"
#include "ras/codecs/utf8.h"
#include "ras/model.h"

namespace {

namespace fwlink = accel::vnpu::fwlink;
namespace firmware = accel::vnpu::firmware;

struct Args {
  int shm_fd = -1;
  int kick_fd = -1;
  int call_fd = -1;
  uint32_t heartbeat_ms = 0;
  std::string serial;
  long parent_pid = 0;  // 0: not given
  long uid = -1;        // --uid/--gid: the user to run as (-1: stay as started)
  long gid = -1;
};

// A whole decimal string in [lo, hi].
bool ParseNumber(const char* s, long lo, long hi, long* out) {
  if (s == nullptr || *s == '\0') return false;
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    long v = 0;
    if (value == nullptr) return false;
    if (flag == "--serial") {
      a->serial = value;
      continue;
    }
    if (flag == "--heartbeat-ms") {
      if (!ParseNumber(value, 1, 60'000, &v)) return false;
      a->heartbeat_ms = static_cast<uint32_t>(v);
      continue;
    }
    if (flag == "--uid" || flag == "--gid") {
      if (!ParseNumber(value, 0, INT32_MAX, &v)) return false;
      (flag == "--uid" ? a->uid : a->gid) = v;
      continue;
    }
    if (flag == "--parent-pid") {
      if (!ParseNumber(value, 1, INT32_MAX, &v)) return false;
      a->parent_pid = v;
      continue;
    }
    int* fd = flag == "--shm-fd"    ? &a->shm_fd
              : flag == "--kick-fd" ? &a->kick_fd
              : flag == "--call-fd" ? &a->call_fd
                                    : nullptr;
    if (fd == nullptr || !ParseNumber(value, 0, INT32_MAX, &v)) return false;
    *fd = static_cast<int>(v);
  }
  // The serial goes into the RAS snapshot, whose codecs need a short UTF-8 name.
  return a->shm_fd >= 0 && a->kick_fd >= 0 && a->call_fd >= 0 && a->heartbeat_ms > 0 &&
         a->serial.size() <= accel::ras::kMaxNameLen && accel::ras::IsUtf8(a->serial);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: vnpu-fw --shm-fd FD --kick-fd FD --call-fd FD --heartbeat-ms 1..60000 "
                 "[--serial S] [--parent-pid PID] [--uid UID --gid GID]\n");
    return firmware::kExitUsage;
  }
  if ((args.uid < 0) != (args.gid < 0)) {
    std::fprintf(stderr, "vnpu-fw: --uid and --gid go together\n");
    return firmware::kExitUsage;
  }
  // The user first: a change of credentials clears the parent-death signal set below.
  if (args.uid >= 0) {
    if (int rc =
            firmware::DropPrivileges(static_cast<uid_t>(args.uid), static_cast<gid_t>(args.gid));
        rc < 0) {
      std::fprintf(stderr, "vnpu-fw: cannot run as %ld:%ld: %s\n", args.uid, args.gid,
                   std::strerror(-rc));
      return firmware::kExitSetup;
    }
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    std::perror("vnpu-fw: prctl(PR_SET_PDEATHSIG)");
    return firmware::kExitSetup;
  }
  // Without --parent-pid, reparenting to init is the best sign left; a subreaper hides it.
  if (args.parent_pid != 0 ? getppid() != args.parent_pid : getppid() == 1) {
    std::fprintf(stderr, "vnpu-fw: the driver is gone\n");
    return firmware::kExitSetup;
  }
  // poll() decides when to read; a read must never block the loop (the flag is shared with
  // the driver's descriptors, which want it too).
  for (int fd : {args.kick_fd, args.call_fd}) {
    const int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
      std::perror("vnpu-fw: eventfd");
      return firmware::kExitSetup;
    }
  }
  accel::Result<fwlink::SharedRegion> region = fwlink::SharedRegion::Map(args.shm_fd);
  if (!region) {
    std::fprintf(stderr, "vnpu-fw: cannot use the shared region: %s\n",
                 std::strerror(-region.error()));
    return firmware::kExitSetup;
  }
  // Last, once everything that needs more than the loop does is done.
  if (int rc = firmware::EnterSandbox(); rc < 0) {
    std::fprintf(stderr, "vnpu-fw: cannot enter the sandbox: %s\n", std::strerror(-rc));
    return firmware::kExitSetup;
  }
  firmware::Firmware fw(region->bytes(), region->layout(), args.kick_fd, args.call_fd,
                        {args.heartbeat_ms, args.serial});
  return fw.Run();
}
