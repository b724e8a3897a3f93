// daemon_config.h - acceld's settings: command line, then an optional config file.
//
// Config file format (one setting per line, '#' starts a comment):
//   load dummy count=2        # a driver and its arguments; may repeat
//   node-mode 0660            # permission bits of device nodes
//   node-group render         # group of device nodes (name or number)
//   driver-path /opt/accel    # extra plugin directory, searched before the defaults
//   ras-db /var/lib/accel/ras.db   # the RAS store; "none" keeps RAS in memory only
//   ras-retention-events 100000    # rows kept in the RAS event log
//   ras-retention-days 90          # and nothing older (0: no age limit)
//   threshold hbm0:corrected count=10 window=60s action=retire_page   # may repeat
//   grpc-tcp 127.0.0.1:50051       # also serve RAS Query/Watch over TCP (off by default)
#ifndef ACCEL_TOOLS_ACCELD_DAEMON_CONFIG_H_
#define ACCEL_TOOLS_ACCELD_DAEMON_CONFIG_H_

#include <string>
#include <vector>

#include <accel/result.h>

#include "ras/service_records.h"
#include "ras/store/ras_store.h"

namespace accel::acceld {

struct DriverToLoad {
  std::string name;
  std::string args;
};

struct DaemonConfig {
  std::string runtime_dir;
  std::vector<DriverToLoad> loads;
  std::vector<std::string> driver_path;
  uint32_t node_mode = 0660;
  std::string node_group;  // empty: "render" if it exists, else root
  std::string log_level = "info";
  std::string dev_dir;  // FUSE device nodes at dev_dir/accel; empty: runtime_dir/dev
  std::string sys_dir;  // FUSE attribute tree; empty: runtime_dir/sys
  bool no_fuse = false;
  std::string ras_db;  // empty: RasStore::DefaultPath(); "none": no persistence
  uint64_t ras_retention_events = 100000;
  uint64_t ras_retention_days = 90;
  ras::Durability store_durability = ras::Durability::kAuto;  // --store-durability
  std::vector<ras::ThresholdRule> thresholds;
  uint32_t ras_trigger_timeout_s = 30;      // a threshold trigger still running then is killed
  std::string grpc_tcp;                     // empty: no TCP listener
  std::string grpc_tls_cert, grpc_tls_key;  // PEM files: the TCP listener speaks TLS
  std::string grpc_tls_client_ca;           // PEM file: and requires client certificates
  bool grpc_tcp_insecure = false;           // plain TCP on a non-loopback address
  uint64_t fd_memory_per_user = uint64_t{4} << 30;  // memfds a non-root uid may hold
};

// "dummy count=2" -> {dummy, "count=2"}.
DriverToLoad ParseLoadSpec(const std::string& spec);
// Reads a config file into `cfg`; on error *why names the line.
Result<void> ReadConfigFile(const std::string& path, DaemonConfig& cfg, std::string* why);
// Resolves a group name or number; -ENOENT for an unknown name.
Result<uint32_t> ResolveGroup(const std::string& group);

}  // namespace accel::acceld

#endif  // ACCEL_TOOLS_ACCELD_DAEMON_CONFIG_H_
