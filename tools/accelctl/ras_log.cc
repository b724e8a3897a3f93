// ras_log.cc - see ras_log.h.
#include "ras_log.h"

#include <fmt/core.h>

#include <memory>

#include "device_entry.h"
#include "device_open.h"
#include "failure.h"
#include "ras_names.h"
#include "ras_report.h"
#include "ras_service_client.h"
#include "ras_time.h"

namespace accelctl {
namespace {

// --since/--until into *out; exit status 0, or the usage failure.
int ParseTimeOption(const char* option, const std::optional<std::string>& text, uint64_t now_ns,
                    std::optional<uint64_t>* out) {
  if (!text) return 0;
  *out = ParseTimeArgument(*text, now_ns);
  if (*out) return 0;
  return Fail(ExitStatus::kUsage,
              fmt::format("{} '{}' is not a time; use ISO-8601 UTC (2026-11-25T18:00:00Z), epoch "
                          "seconds, or an age such as 10m, 2h or 3d",
                          option, *text));
}

// The LogQuery the options ask for; exit status 0, or the usage failure.
int BuildQuery(const RasLogOptions& o, accel::ras::LogQuery* q) {
  const uint64_t now_ns = RealtimeNowNs();
  if (int status = ParseTimeOption("--since", o.since, now_ns, &q->since_ns)) return status;
  if (int status = ParseTimeOption("--until", o.until, now_ns, &q->until_ns)) return status;
  if (q->since_ns && q->until_ns && *q->since_ns >= *q->until_ns)
    return Fail(ExitStatus::kUsage,
                fmt::format("--since {} is not before --until {}; swap them", *o.since, *o.until));
  if (o.severity) {
    q->severity = RasSeverityFromName(*o.severity);
    if (!q->severity)
      return Fail(ExitStatus::kUsage, fmt::format("unknown severity '{}'", *o.severity));
  }
  q->device = o.device;
  q->limit = o.limit;
  return 0;
}

}  // namespace

int RunRasLog(const RasLogOptions& options) {
  accel::ras::LogQuery query;
  if (int status = BuildQuery(options, &query)) return status;
  if (int status = FindListedDevice("", nullptr)) return status;
  std::unique_ptr<accel::ras::RasGrpcClient> client;
  if (int status = ConnectRasService(&client)) return status;
  accel::Result<std::vector<accel::ras::EventRecord>> events = client->Log(query);
  if (!events) return FailRasServiceCall("Log", "", events.error());
  if (options.json) {
    Json array = Json::array();
    for (const accel::ras::EventRecord& r : *events) array.push_back(EventJson(r));
    fmt::print("{}\n", DumpJson(array));
  } else {
    for (const accel::ras::EventRecord& r : *events) fmt::print("{}\n", EventLine(r));
  }
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
