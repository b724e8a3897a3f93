// all_codecs.cc - see all_codecs.h. The list itself is codec_list.inc.
#include "ras/codecs/all_codecs.h"

#include "ras/codec_table.h"

namespace accel::ras {

// Each codec's header declares exactly this; declaring it here from the list keeps the list
// the only place that names the codecs.
#define ACCEL_RAS_CODEC(folder, accessor) const Codec& accessor();
#include "ras/codecs/codec_list.inc"
#undef ACCEL_RAS_CODEC

std::vector<const Codec*> AllCodecs() {
  return {
#define ACCEL_RAS_CODEC(folder, accessor) &accessor(),
#include "ras/codecs/codec_list.inc"
#undef ACCEL_RAS_CODEC
  };
}

void InstallAllCodecs() {
  const std::vector<const Codec*> all = AllCodecs();
  SetCodecs(all);
}

}  // namespace accel::ras
