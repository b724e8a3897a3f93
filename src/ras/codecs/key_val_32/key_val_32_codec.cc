// key_val_32_codec.cc - see key_val_32_codec.h; the layout is in docs/ras/key_val_32.md.
#include "ras/codecs/key_val_32/key_val_32_codec.h"

#include <uapi/accel/accel.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace accel::ras {
namespace {

constexpr size_t kPairSize = sizeof(struct accel_ras_kv32);
constexpr uint32_t kCountersPerPair = 2;  // ACCEL_RAS_CTR_VOLATILE, ACCEL_RAS_CTR_AGGREGATE
// Distinct keys a valid payload can hold; anything longer must repeat a key.
constexpr size_t kMaxPairs = size_t{kMaxComponents} * kSeverityCount * kCountersPerPair;

static_assert(ACCEL_RAS_SEV_COUNT == kSeverityCount, "uAPI and model severities agree");
static_assert(kMaxComponents == 256, "the key's component field is 8 bits wide");

uint32_t Saturate(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v);
}

// Component names the format cannot carry: the decimal index, for components 0..count-1.
std::vector<Component> IndexNamedComponents(uint32_t count) {
  std::vector<Component> components(count);
  for (uint32_t i = 0; i < count; ++i) components[i].name = std::to_string(i);
  return components;
}

void PutPair(uint8_t* out, uint32_t key, uint32_t value) {
  const struct accel_ras_kv32 pair = {key, value};
  std::memcpy(out, &pair, sizeof(pair));
}

Result<std::vector<uint8_t>> Encode(const Snapshot& s) {
  if (s.components.size() > kMaxComponents) return Err(E2BIG);
  std::vector<uint8_t> out(s.counters.size() * kCountersPerPair * kPairSize);
  uint8_t* p = out.data();
  const Counter* prev = nullptr;
  for (const Counter& c : s.counters) {
    if (c.component >= s.components.size() || c.severity >= kSeverityCount) return Err(EINVAL);
    // Sorted and unique, as Validate() wants: the output then always decodes.
    if (prev != nullptr && (prev->component > c.component ||
                            (prev->component == c.component && prev->severity >= c.severity)))
      return Err(EINVAL);
    prev = &c;
    PutPair(p, ACCEL_RAS_KV32_KEY(c.component, c.severity, ACCEL_RAS_CTR_VOLATILE),
            Saturate(c.volatile_count));
    PutPair(p + kPairSize, ACCEL_RAS_KV32_KEY(c.component, c.severity, ACCEL_RAS_CTR_AGGREGATE),
            Saturate(c.aggregate_count));
    p += kCountersPerPair * kPairSize;
  }
  return out;
}

Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() % kPairSize != 0) return Err(EINVAL);
  const size_t count = bytes.size() / kPairSize;
  if (count > kMaxPairs) return Err(E2BIG);

  std::vector<struct accel_ras_kv32> pairs(count);
  if (count > 0) std::memcpy(pairs.data(), bytes.data(), bytes.size());
  for (const auto& pair : pairs) {
    if (ACCEL_RAS_KV32_SEVERITY(pair.key) >= kSeverityCount) return Err(EINVAL);
    const uint32_t counter = ACCEL_RAS_KV32_COUNTER(pair.key);
    if (counter != ACCEL_RAS_CTR_VOLATILE && counter != ACCEL_RAS_CTR_AGGREGATE) return Err(EINVAL);
  }
  // The key's fields run from most to least significant as (component, severity, counter),
  // so sorting by key is the model's counter order, and a repeated key sits beside its twin.
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.key < b.key; });

  Snapshot s;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const uint32_t key = pairs[i].key;
    if (i > 0 && pairs[i - 1].key == key) return Err(EINVAL);
    const uint32_t component = ACCEL_RAS_KV32_COMPONENT(key);
    const uint32_t severity = ACCEL_RAS_KV32_SEVERITY(key);
    if (s.counters.empty() || s.counters.back().component != component ||
        s.counters.back().severity != severity)
      s.counters.push_back(Counter{.component = component, .severity = severity});
    // A pair whose other half is absent reads 0 there (firmware that keeps one of the two).
    Counter& c = s.counters.back();
    if (ACCEL_RAS_KV32_COUNTER(key) == ACCEL_RAS_CTR_VOLATILE)
      c.volatile_count = pairs[i].value;
    else
      c.aggregate_count = pairs[i].value;
  }
  if (!s.counters.empty()) s.components = IndexNamedComponents(s.counters.back().component + 1);
  if (const int rc = Validate(s); rc < 0) return Errno{rc};
  return s;
}

Snapshot Project(const Snapshot& s) {
  Snapshot p;
  uint32_t component_count = 0;
  p.counters.reserve(s.counters.size());
  for (const Counter& c : s.counters) {
    p.counters.push_back(Counter{.component = c.component,
                                 .severity = c.severity,
                                 .volatile_count = Saturate(c.volatile_count),
                                 .aggregate_count = Saturate(c.aggregate_count)});
    component_count = std::max(component_count, c.component + 1);
  }
  // A valid Snapshot never passes the bound; an invalid one must not make us allocate 2^32.
  p.components = IndexNamedComponents(std::min(component_count, kMaxComponents));
  return p;
}

}  // namespace

const Codec& KeyVal32Codec() {
  static const Codec codec = {
      .format = ACCEL_RAS_FMT_KEY_VAL_32,
      .name = "key_val_32",
      .carries = kCarriesCounters,
      .encode = Encode,
      .decode = Decode,
      .project = Project,
  };
  return codec;
}

}  // namespace accel::ras
