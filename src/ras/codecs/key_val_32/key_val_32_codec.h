// key_val_32_codec.h - the KEY_VAL_32 RAS format: counters as 32-bit key/value pairs.
//
// The payload is an array of struct accel_ras_kv32 (include/uapi/accel/accel.h) in native byte
// order, two pairs per (component, severity) counter: ACCEL_RAS_CTR_VOLATILE and
// ACCEL_RAS_CTR_AGGREGATE, each value saturated at 0xffffffff. It is the format of firmware
// that keeps 32-bit counters; it carries counters only (no names, identity, events or pages),
// so a decoded Snapshot names its components "0", "1", ... See docs/ras/key_val_32.md.
//
//   const accel::ras::Codec& kv = accel::ras::KeyVal32Codec();
//   auto bytes = kv.encode(snapshot);   // 16 bytes per counter
//   auto back = kv.decode(*bytes);      // == kv.project(snapshot)
#ifndef ACCEL_RAS_CODECS_KEY_VAL_32_KEY_VAL_32_CODEC_H_
#define ACCEL_RAS_CODECS_KEY_VAL_32_KEY_VAL_32_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

const Codec& KeyVal32Codec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_KEY_VAL_32_KEY_VAL_32_CODEC_H_
