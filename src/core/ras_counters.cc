// ras_counters.cc - see ras_counters.h.
#include "core/ras_counters.h"

#include <uapi/accel/accel.h>

#include <cerrno>
#include <span>

#include "core/device.h"
#include "core/driver.h"
#include "ras/codecs/key_val_32/key_val_32_codec.h"

namespace accel::core {

Result<std::vector<RasCounter>> ReadRasCounters(Device& dev) {
  // Enter() before the driver's table: after an unload the Driver object is gone.
  if (!dev.Enter()) return Err(ENODEV);
  const accel_driver& t = dev.entered_driver()->table();
  // A driver that keeps its counters in the core's RAS state: read them from there.
  if (t.ras_query == nullptr) {
    dev.Exit();
    if (dev.ras_components().empty()) return Err(EOPNOTSUPP);
    const ras::Snapshot s = dev.RasSnapshot();
    std::vector<RasCounter> out;
    for (const ras::Counter& k : s.counters)
      out.push_back({k.component, s.components[k.component].name, k.severity, k.volatile_count,
                     k.aggregate_count});
    return out;
  }
  // A driver that encodes RAS itself: ask it for KEY_VAL_32 and decode that.
  if ((dev.ras_formats() & ACCEL_CAP_RAS_KEY_VAL_32) == 0) {
    dev.Exit();
    return Err(EOPNOTSUPP);
  }
  std::vector<uint8_t> buf(4096);
  uint32_t len = 0, schema = 0;
  accel_call call{};
  call.dev = dev.handle();
  call.dev_priv = dev.priv();
  int rc = t.ras_query ? t.ras_query(&call, ACCEL_RAS_FMT_KEY_VAL_32, 0, buf.data(),
                                     static_cast<uint32_t>(buf.size()), &len, &schema)
                       : -EOPNOTSUPP;
  if (rc == -ENOSPC && len <= (1u << 20)) {
    buf.resize(len);
    rc = t.ras_query(&call, ACCEL_RAS_FMT_KEY_VAL_32, 0, buf.data(), len, &len, &schema);
  }
  dev.Exit();
  if (rc < 0) return Errno{rc};
  if (len > buf.size()) return Err(EIO);

  // The codec's decoder, strict as for any input: a payload that is not KEY_VAL_32 (a length
  // off the pair size, a repeated key, an unknown severity) is the driver's fault, -EIO.
  Result<ras::Snapshot> s = ras::KeyVal32Codec().decode(std::span<const uint8_t>(buf.data(), len));
  if (!s) return Err(EIO);
  std::vector<RasCounter> out;
  out.reserve(s->counters.size());
  for (const ras::Counter& k : s->counters)
    out.push_back({k.component, dev.RasComponentName(k.component), k.severity, k.volatile_count,
                   k.aggregate_count});
  return out;
}

Result<void> ClearRasCounters(Device& dev) {
  return dev.RasClear();
}

}  // namespace accel::core
