// daemon_process.h - acceld running as a child, in a runtime directory of its own.
//
// DOC: lifetime
//
// Start() makes a fresh temporary runtime directory, points ACCEL_RUNTIME_DIR at it (in this
// process, so libaccel finds the socket, and so in the child), starts acceld there with the
// given driver loaded, and returns once a client can open the device: acceld listens before it
// loads drivers, so "the socket exists" is not yet "accel0 exists". The destructor SIGTERMs
// the daemon (it unplugs its devices and exits 0), reaps it and removes the directory. The
// process itself is a ChildProcess, so it dies with the benchmark however that ends.
//
//   std::string why;
//   auto daemon = DaemonProcess::Start(ACCELD_PATH, "dummy", "accel0", &why);
//   if (!daemon) { fprintf(stderr, "%s\n", why.c_str()); return 1; }
//   accel_open("accel0", &h);   // talks to this daemon
#ifndef ACCEL_BENCH_DAEMON_PROCESS_H_
#define ACCEL_BENCH_DAEMON_PROCESS_H_

#include <memory>
#include <string>

#include "child_process.h"

namespace accel::bench {

class DaemonProcess {
 public:
  // nullptr on failure, with the reason in *why.
  static std::unique_ptr<DaemonProcess> Start(const std::string& acceld_path,
                                              const std::string& driver, const std::string& device,
                                              std::string* why);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::string& runtime_dir() const { return runtime_dir_; }
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
