// sandbox.h - what vnpu-fw gives up before it reads a byte from the driver (issue 12 A12).
//
// The firmware is the party the driver trusts least: it parses the driver's ring, and a real
// device's firmware is code the host did not write. So vnpu-fw, started by acceld as root,
//   1. drops to an unprivileged user (DropPrivileges: supplementary groups, gid, uid, in that
//      order, each checked), which the driver names (vnpu's fw_user=, default nobody);
//   2. sets PR_SET_NO_NEW_PRIVS, so nothing it could exec gains privileges;
//   3. installs a seccomp filter (EnterSandbox, with Debian's libseccomp) that allows the
//      system calls its loop makes (poll, read and write on the descriptors it was handed,
//      clocks, memory, futexes, exit) and kills the process (SIGSYS) on any other.
// The driver sees a killed firmware like a crashed one and resets the device.
//
// In a sanitizer build the runtimes (ASan's reports, LeakSanitizer's stop-the-world, TSan's
// background thread) make calls no allow list can foresee, so there the filter is a deny list
// of what a compromised firmware would want (sockets, exec, credentials, mounts, modules,
// ptrace of others is left to LSan): every call the probe and the tests make is in both.
#ifndef ACCEL_DRIVERS_VNPU_FIRMWARE_SANDBOX_H_
#define ACCEL_DRIVERS_VNPU_FIRMWARE_SANDBOX_H_

#include <sys/types.h>

namespace accel::vnpu::firmware {

// setgroups({}), setresgid(gid), setresuid(uid), then checks that no way back is left.
// 0 or -errno.
int DropPrivileges(uid_t uid, gid_t gid);

// PR_SET_NO_NEW_PRIVS and the seccomp filter described above. 0 or -errno (the firmware must
// then not run: it exits with kExitSetup).
int EnterSandbox();

// Whether EnterSandbox() builds the allow list (true) or a sanitizer build's deny list.
bool SandboxIsAllowList();

}  // namespace accel::vnpu::firmware

#endif  // ACCEL_DRIVERS_VNPU_FIRMWARE_SANDBOX_H_
