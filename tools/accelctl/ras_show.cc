// ras_show.cc - see ras_show.h.
#include "ras_show.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <accel/accel.hpp>
#include <cerrno>
#include <cstdio>
#include <span>
#include <vector>

#include "device_entry.h"
#include "device_open.h"
#include "failure.h"
#include "ras/codecs/json/json_codec.h"
#include "ras_device.h"
#include "ras_names.h"
#include "ras_report.h"
#include "text_table.h"

namespace accelctl {
namespace {

int ExitOk() {
  return static_cast<int>(ExitStatus::kOk);
}

// Writes all of `bytes` to fd; 0 or a negative errno.
int WriteAll(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return 0;
}

// `bytes` to -o FILE (created 0644, truncated) or stdout.
int Emit(const std::string& path, std::span<const uint8_t> bytes) {
  if (path.empty()) {
    std::fflush(stdout);  // nothing printed earlier may land after the payload
    if (int rc = WriteAll(STDOUT_FILENO, bytes); rc < 0)
      return Fail(ExitStatus::kFailed, fmt::format("cannot write to stdout: {}", ErrnoText(rc)));
    return ExitOk();
  }
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Fail(ExitStatus::kFailed,
                fmt::format("cannot create {}: {}; pick another -o FILE", path, ErrnoText(-errno)));
  int rc = WriteAll(fd, bytes);
  if (close(fd) < 0 && rc == 0) rc = -errno;  // NFS and quotas report late
  if (rc < 0)
    return Fail(ExitStatus::kFailed, fmt::format("cannot write {}: {}", path, ErrnoText(rc)));
  return ExitOk();
}

int EmitText(const std::string& path, const std::string& text) {
  return Emit(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Json FormatsJson(const std::string& device, uint64_t formats, uint64_t passthrough) {
  return {{"device", device},
          {"formats", RasFormatNames(formats)},
          {"formats_mask", formats},
          {"passthrough", RasFormatNames(passthrough)},
          {"passthrough_mask", passthrough}};
}

// FORMAT / OFFERED / PASS-THROUGH for every format either mask names.
std::string FormatsText(const std::string& device, uint64_t formats, uint64_t passthrough) {
  const std::vector<std::string> offered = RasFormatNames(formats);
  const std::string firmware =
      passthrough == 0 ? "none" : JoinNames(RasFormatNames(passthrough), ", ");
  std::string out =
      fmt::format("{} offers {} RAS format(s) (mask {:#x}); firmware pass-through: {}\n", device,
                  offered.size(), formats, firmware);
  TextTable table({"FORMAT", "OFFERED", "PASS-THROUGH"});
  for (unsigned bit = 0; bit < 64; ++bit) {
    const uint64_t mask = uint64_t{1} << bit;
    if (((formats | passthrough) & mask) == 0) continue;
    table.AddRow({JoinNames(RasFormatNames(mask), ""), (formats & mask) ? "yes" : "no",
                  (passthrough & mask) ? "yes (--raw)" : "no"});
  }
  return out + table.Render("  ");
}

// Usage errors of `ras show` that CLI11 cannot see; 0 when the options make sense.
int CheckShowOptions(const RasShowOptions& o, unsigned format) {
  if (o.compact && format != ACCEL_RAS_FMT_THRIFT)
    return Fail(ExitStatus::kUsage,
                "--compact selects thrift's compact protocol; use it with --format thrift");
  // A terminal would be garbled by binary bytes; a file or a pipe is what the user wants.
  if (o.output.empty() && !IsTextRasFormat(format) && isatty(STDOUT_FILENO))
    return Fail(
        ExitStatus::kUsage,
        fmt::format("{} is binary and stdout is a terminal; use -o FILE or a pipe", *o.format));
  return ExitOk();
}

// `ras show --format F`: the payload bytes.
int ShowPayload(accel::Device& device, const RasShowOptions& o, unsigned format) {
  const uint32_t flags =
      (o.raw ? ACCEL_RAS_QUERY_RAW : 0u) | (o.compact ? ACCEL_RAS_QUERY_THRIFT_COMPACT : 0u);
  accel::Result<RasPayload> payload = QueryRasPayload(device, format, flags);
  if (!payload) return FailRasQuery(o.device, format, flags, payload.error());
  std::vector<uint8_t>& bytes = payload->bytes;
  // Text on stdout ends its line; a file gets the payload byte for byte.
  if (o.output.empty() && IsTextRasFormat(format) && (bytes.empty() || bytes.back() != '\n'))
    bytes.push_back('\n');
  return Emit(o.output, bytes);
}

// `ras show` without --format: the report, or with --json the JSON payload.
int ShowReport(accel::Device& device, const RasShowOptions& o) {
  accel::Result<RasPayload> json = QueryRasPayload(device, ACCEL_RAS_FMT_JSON, 0);
  if (!json) return FailRasQuery(o.device, ACCEL_RAS_FMT_JSON, 0, json.error());
  if (o.json) {
    if (json->bytes.empty() || json->bytes.back() != '\n') json->bytes.push_back('\n');
    return Emit(o.output, json->bytes);
  }
  accel::Result<accel::ras::Snapshot> snapshot = accel::ras::JsonCodec().decode(json->bytes);
  if (!snapshot) return FailRasQuery(o.device, ACCEL_RAS_FMT_JSON, 0, snapshot.error());
  return EmitText(o.output, SnapshotReport(*snapshot, o.events));
}

}  // namespace

int RunRasFormats(const RasFormatsOptions& options) {
  std::optional<accel::Device> device;
  if (int status = OpenListedDevice(options.device, "", &device, nullptr)) return status;
  accel::Result<uint64_t> formats = GetCapability(*device, ACCEL_CAP_RAS_FORMATS);
  if (!formats) return FailDeviceCall(options.device, "GET_CAP RAS_FORMATS", formats.error());
  accel::Result<uint64_t> passthrough = GetCapability(*device, ACCEL_CAP_RAS_PASSTHROUGH);
  if (!passthrough)
    return FailDeviceCall(options.device, "GET_CAP RAS_PASSTHROUGH", passthrough.error());
  if (options.json)
    fmt::print("{}\n", DumpJson(FormatsJson(options.device, *formats, *passthrough)));
  else
    fmt::print("{}", FormatsText(options.device, *formats, *passthrough));
  return ExitOk();
}

int RunRasShow(const RasShowOptions& options) {
  std::optional<unsigned> format;
  if (options.format) {
    format = RasFormatFromName(*options.format);
    if (!format)  // RasFormatValidator() let it through, so only a caller's mistake
      return Fail(ExitStatus::kUsage, fmt::format("unknown RAS format '{}'", *options.format));
    if (int status = CheckShowOptions(options, *format)) return status;
  }
  std::optional<accel::Device> device;
  if (int status = OpenListedDevice(options.device, "", &device, nullptr)) return status;
  return format ? ShowPayload(*device, options, *format) : ShowReport(*device, options);
}

}  // namespace accelctl
