// daemon_process.h - acceld running as a child, in a runtime directory of its own.
//
// DOC: lifetime
//
// Start() makes a fresh temporary runtime directory, points ACCEL_RUNTIME_DIR at it (in this
// process, so libaccel finds the socket, and so in the child), starts acceld there with the
// given driver loaded, and returns once a client can open the device through the socket.
// acceld mounts its FUSE trees only after it listens, so a benchmark that uses the nodes waits
// for them with WaitForNode(). The destructor SIGTERMs the daemon (it unplugs its devices,
// unmounts and exits 0), reaps it, detaches any mount left under the directory and removes
// it. The process itself is a ChildProcess, so it dies with the benchmark however that ends;
// it gets SIGTERM rather than SIGKILL then, so that it still unmounts (bench_mounts.h).
//
//   std::string why;
//   auto daemon = DaemonProcess::Start(ACCELD_PATH, "dummy", "accel0", &why);
//   if (!daemon) { fprintf(stderr, "%s\n", why.c_str()); return 1; }
//   accel_open("accel0", &h);   // talks to this daemon
//   daemon->WaitForNode("accel0", &why);   // RUNTIME_DIR/dev/accel/accel0 is there
#ifndef ACCEL_BENCH_DAEMON_PROCESS_H_
#define ACCEL_BENCH_DAEMON_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "child_process.h"

namespace accel::bench {

class DaemonProcess {
 public:
  // nullptr on failure, with the reason in *why. `driver` is one --load value ("dummy",
  // "benchpayload size=4096"); `extra_args` go on acceld's command line (--driver-path DIR).
  static std::unique_ptr<DaemonProcess> Start(const std::string& acceld_path,
                                              const std::string& driver, const std::string& device,
                                              std::string* why,
                                              const std::vector<std::string>& extra_args = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::string& runtime_dir() const { return runtime_dir_; }
  // The FUSE node of `device` (RUNTIME_DIR/dev/accel/<device>).
  std::string NodePath(const std::string& device) const {
    return runtime_dir_ + "/dev/accel/" + device;
  }
  // Waits until NodePath(device) exists; false with the reason in *why if acceld exits first
  // or 10 s pass (no /dev/fuse: acceld then serves the socket only).
  bool WaitForNode(const std::string& device, std::string* why);
  // acceld's CPU time so far, all threads (see ChildProcess::CpuNanoseconds).
  uint64_t CpuNanoseconds() const { return process_.CpuNanoseconds(); }
  // Stops the daemon now; true when it exited 0 (a clean SIGTERM shutdown).
  bool Stop();

 private:
  DaemonProcess(std::string runtime_dir, ChildProcess process)
      : runtime_dir_(std::move(runtime_dir)), process_(std::move(process)) {}

  std::string runtime_dir_;
  ChildProcess process_;
};

}  // namespace accel::bench

#endif  // ACCEL_BENCH_DAEMON_PROCESS_H_
