// codec_table.cc - see codec_table.h.
#include "ras/codec_table.h"

#include <strings.h>

#include <array>
#include <atomic>
#include <string>

namespace accel::ras {
namespace {

constexpr uint32_t kFormats = 64;
constexpr size_t kMaxCodecs = 32;
// By format bit: the first codec installed for it (THRIFT: the binary protocol).
std::array<std::atomic<const Codec*>, kFormats> g_codecs{};
// By name: every codec installed, variants included ("thrift_compact").
std::array<std::atomic<const Codec*>, kMaxCodecs> g_by_name{};

}  // namespace

void SetCodecs(std::span<const Codec* const> codecs) {
  for (auto& slot : g_codecs) slot.store(nullptr, std::memory_order_relaxed);
  for (auto& slot : g_by_name) slot.store(nullptr, std::memory_order_relaxed);
  size_t n = 0;
  for (const Codec* c : codecs) {
    if (c == nullptr || c->format >= kFormats || n == kMaxCodecs) continue;
    if (g_codecs[c->format].load(std::memory_order_relaxed) == nullptr)
      g_codecs[c->format].store(c, std::memory_order_release);
    g_by_name[n++].store(c, std::memory_order_release);
  }
}

const Codec* FindCodec(uint32_t format) {
  return format < kFormats ? g_codecs[format].load(std::memory_order_acquire) : nullptr;
}

const Codec* FindCodecByName(std::string_view name) {
  const std::string n(name);
  for (const auto& slot : g_by_name) {
    const Codec* c = slot.load(std::memory_order_acquire);
    if (c != nullptr && strcasecmp(c->name, n.c_str()) == 0) return c;
  }
  return nullptr;
}

const Codec* FindThriftCompactCodec() {
  return FindCodecByName("thrift_compact");
}

uint64_t InstalledFormats() {
  uint64_t mask = 0;
  for (uint32_t i = 0; i < kFormats; ++i)
    if (g_codecs[i].load(std::memory_order_acquire) != nullptr) mask |= 1ULL << i;
  return mask;
}

}  // namespace accel::ras
