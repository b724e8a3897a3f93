// ras_thresholds.cc - see ras_thresholds.h.
#include "ras_thresholds.h"

#include <fmt/core.h>

#include <memory>

#include "device_entry.h"
#include "device_open.h"
#include "failure.h"
#include "ras/service_records.h"
#include "ras_service_client.h"
#include "ras_time.h"
#include "text_table.h"

namespace accelctl {
namespace {

using accel::ras::ThresholdStatus;

std::string LastCrossing(const ThresholdStatus& t) {
  return t.last_crossing_ns == 0 ? "-" : UtcText(t.last_crossing_ns);
}

Json ThresholdJson(const ThresholdStatus& t) {
  Json out = {
      {"device", t.device},
      {"rule", accel::ras::FormatThresholdRule(t.rule)},
      {"in_window", t.in_window},
      {"crossings", t.crossings},
      {"last_crossing_ns", t.last_crossing_ns},
      {"state", t.state},
  };
  if (t.last_crossing_ns != 0) out["last_crossing"] = UtcText(t.last_crossing_ns);
  return out;
}

std::string ThresholdsText(const std::vector<ThresholdStatus>& thresholds) {
  if (thresholds.empty())
    return "no RAS thresholds; acceld takes them from --threshold RULE or `threshold` lines in "
           "its config file\n";
  TextTable table({"DEVICE", "RULE", "IN-WINDOW", "CROSSINGS", "LAST CROSSING", "STATE"});
  for (const ThresholdStatus& t : thresholds)
    table.AddRow({t.device, accel::ras::FormatThresholdRule(t.rule), std::to_string(t.in_window),
                  std::to_string(t.crossings), LastCrossing(t), t.state});
  return table.Render();
}

// One line under the table: whether actions were lost (queue full) or cut short (timeout).
std::string ActionsText(const accel::ras::ActionQueueStats& a) {
  return fmt::format(
      "actions: {} pending (queue of {}), {} run, {} merged, {} dropped, {} triggers timed out\n",
      a.pending, a.capacity, a.run, a.merged, a.dropped, a.timed_out);
}

}  // namespace

int RunRasThresholds(const RasThresholdsOptions& options) {
  if (int status = FindListedDevice(options.device, nullptr)) return status;
  std::unique_ptr<accel::ras::RasGrpcClient> client;
  if (int status = ConnectRasService(&client)) return status;
  accel::ras::ActionQueueStats actions;
  accel::Result<std::vector<ThresholdStatus>> thresholds =
      client->Thresholds(options.device, &actions);
  if (!thresholds) return FailRasServiceCall("Thresholds", options.device, thresholds.error());
  if (options.json) {
    Json array = Json::array();
    for (const ThresholdStatus& t : *thresholds) array.push_back(ThresholdJson(t));
    fmt::print("{}\n", DumpJson(array));
  } else {
    fmt::print("{}", ThresholdsText(*thresholds));
    if (!thresholds->empty() || actions.run != 0 || actions.dropped != 0)
      fmt::print("{}", ActionsText(actions));
  }
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
