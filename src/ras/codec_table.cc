// codec_table.cc - see codec_table.h.
#include "ras/codec_table.h"

#include <strings.h>

#include <array>
#include <atomic>
#include <string>

namespace accel::ras {
namespace {

constexpr uint32_t kFormats = 64;
std::array<std::atomic<const Codec*>, kFormats> g_codecs{};

}  // namespace

void SetCodecs(std::span<const Codec* const> codecs) {
  for (auto& slot : g_codecs) slot.store(nullptr, std::memory_order_relaxed);
  for (const Codec* c : codecs)
    if (c != nullptr && c->format < kFormats) g_codecs[c->format].store(c);
}

const Codec* FindCodec(uint32_t format) {
  return format < kFormats ? g_codecs[format].load(std::memory_order_acquire) : nullptr;
}

const Codec* FindCodecByName(std::string_view name) {
  const std::string n(name);
  for (const auto& slot : g_codecs) {
    const Codec* c = slot.load(std::memory_order_acquire);
    if (c != nullptr && strcasecmp(c->name, n.c_str()) == 0) return c;
  }
  return nullptr;
}

uint64_t InstalledFormats() {
  uint64_t mask = 0;
  for (uint32_t i = 0; i < kFormats; ++i)
    if (g_codecs[i].load(std::memory_order_acquire) != nullptr) mask |= 1ULL << i;
  return mask;
}

}  // namespace accel::ras
