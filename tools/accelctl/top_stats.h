// top_stats.h - the numbers behind `accelctl top`: DRM fdinfo blocks parsed into samples, and
// two samples turned into busy percentages per device and per client.
//
// A block is one open file's "key:\tvalue" lines (Documentation/gpu/drm-usage-stats.rst), plus
// accel's own keys accel-device, accel-pid and accel-uid (accel_clients() in libaccel.h). Engine
// time (drm-engine-<e>: <ns> ns) only grows, so how busy an engine was is its growth between
// two samples over the time between them, times the engine's capacity
// (drm-engine-capacity-<e>, 1 when absent), as nvtop and qmassa compute it.
//
//   std::vector<ClientSample> before = ParseClients(text0), after = ParseClients(text1);
//   TopFrame f = ComputeFrame(&before, after, 1e9, devices);   // samples one second apart
#ifndef ACCEL_TOOLS_ACCELCTL_TOP_STATS_H_
#define ACCEL_TOOLS_ACCELCTL_TOP_STATS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accelctl {

// One open file at one instant.
struct ClientSample {
  std::string device;  // accel-device: accelN
  std::string driver;  // drm-driver
  std::string pdev;    // drm-pdev (empty when absent)
  uint64_t client_id = 0;
  std::optional<uint32_t> pid, uid;           // accel-pid, accel-uid
  std::map<std::string, uint64_t> engine_ns;  // drm-engine-<e>
  std::map<std::string, uint64_t> capacity;   // drm-engine-capacity-<e>
  std::map<std::string, uint64_t> total;      // drm-total-<region>, bytes
  std::map<std::string, uint64_t> resident;   // drm-resident-<region>, bytes
};

// Blocks separated by empty lines; a block without drm-client-id is skipped (it cannot be
// told apart from the next sample's), as are lines and values that do not parse.
std::vector<ClientSample> ParseClients(std::string_view text);

// "<n> ns" -> n; "<n> KiB"/"MiB"/"GiB" -> bytes; a bare "<n>" -> n. nullopt otherwise.
std::optional<uint64_t> ParseValue(std::string_view value);

struct ClientRow {
  ClientSample sample;
  std::map<std::string, double> busy;  // percent per engine; empty without a previous sample
  std::optional<double> total_busy;    // percent of all its engines' capacity
  uint64_t memory = 0;                 // sum of drm-total-*
  uint64_t resident = 0;               // sum of drm-resident-*
};

struct DeviceRow {
  std::string device;
  std::string driver;
  size_t clients = 0;
  std::optional<double> busy;  // percent of the device's engine capacity; nullopt: unknown
};

struct TopFrame {
  std::vector<DeviceRow> devices;  // in the order given
  std::vector<ClientRow> clients;  // busiest first, then by device and client id
};

// `prev` is the sample `interval_ns` before `cur`, or nullptr for a single sample (no busy
// figures). `devices` are (name, driver) of every device to show, idle ones included; a client
// of a device not listed there gets a row of its own device as well.
TopFrame ComputeFrame(const std::vector<ClientSample>* prev, const std::vector<ClientSample>& cur,
                      double interval_ns,
                      const std::vector<std::pair<std::string, std::string>>& devices);

// "64 KiB", "1.5 MiB", "0 B": memory for people.
std::string FormatBytes(uint64_t bytes);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_TOP_STATS_H_
