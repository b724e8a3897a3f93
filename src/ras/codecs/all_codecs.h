// all_codecs.h - every RAS codec this build has, for acceld (and tests that want them all).
#ifndef ACCEL_RAS_CODECS_ALL_CODECS_H_
#define ACCEL_RAS_CODECS_ALL_CODECS_H_

#include <vector>

#include "ras/codec.h"

namespace accel::ras {

// In format-bit order; THRIFT's compact variant follows THRIFT.
std::vector<const Codec*> AllCodecs();
// SetCodecs(AllCodecs()).
void InstallAllCodecs();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_ALL_CODECS_H_
