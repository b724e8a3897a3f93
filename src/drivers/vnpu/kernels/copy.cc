// copy.cc - Copy: memmove in chunks, polling cancel between them.
//
// Chunks go front to back when dst is below src and back to front otherwise, so that no chunk
// overwrites source bytes a later chunk still has to read; each chunk is one memmove. A
// cancelled copy leaves a prefix (or, backwards, a suffix) of dst written.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"

namespace accel::vnpu::kernels {
namespace {

constexpr uint64_t kChunk = uint64_t{4} << 20;  // bytes between two polls of cancel

}  // namespace

int Copy(const uint8_t* src, uint8_t* dst, uint64_t len, const std::atomic<bool>* cancel) {
  if (internal::Cancelled(cancel)) return -ECANCELED;
  const bool forwards = reinterpret_cast<uintptr_t>(dst) < reinterpret_cast<uintptr_t>(src);
  for (uint64_t done = 0; done < len;) {
    if (done != 0 && internal::Cancelled(cancel)) return -ECANCELED;
    const uint64_t n = std::min(kChunk, len - done);
    const uint64_t at = forwards ? done : len - done - n;
    std::memmove(dst + at, src + at, static_cast<size_t>(n));
    done += n;
  }
  return 0;
}

}  // namespace accel::vnpu::kernels
