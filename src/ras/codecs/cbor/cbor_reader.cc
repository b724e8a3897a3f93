// cbor_reader.cc - the CBOR decoder: DecodeCborSnapshot (see cbor_codec.h).
//
// Why libcbor's streaming decoder and not cbor_load: cbor_load builds a tree of items and
// sizes each array and map by the count its head declares, so a 9-byte head claiming 2^32
// entries is an allocation the input never paid for. cbor_stream_decode reads one item head
// (a string with its bytes) per call, checks that the bytes it needs are in the buffer, and
// allocates nothing; it also reports how many bytes it consumed, which is what the
// shortest-form check needs.
//
// The parse is directed by the layout: each function expects one thing (a map with these
// keys, an array of component maps, a uint) and stops at the first item that is not it. No
// item of unknown shape is ever skipped, so there is no recursion into the input and the
// nesting depth is the layout's own (snapshot, components, component, counters, pair: 5).
#include <cbor.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "ras/codecs/cbor/cbor_codec.h"
#include "ras/codecs/utf8.h"

namespace accel::ras {
namespace {

// One item head as cbor_stream_decode reported it.
struct Item {
  enum Kind { kUint, kBytes, kText, kArray, kMap, kIndefinite, kBreak, kOther } kind = kOther;
  uint64_t value = 0;             // the uint, or the string length, or the array/map count
  const uint8_t* data = nullptr;  // string bytes
};

// libcbor calls exactly one of these per cbor_stream_decode(); each records the item.
Item& ItemOf(void* ctx) {
  return *static_cast<Item*>(ctx);
}
void OnUint8(void* c, uint8_t v) {
  ItemOf(c) = {Item::kUint, v};
}
void OnUint16(void* c, uint16_t v) {
  ItemOf(c) = {Item::kUint, v};
}
void OnUint32(void* c, uint32_t v) {
  ItemOf(c) = {Item::kUint, v};
}
void OnUint64(void* c, uint64_t v) {
  ItemOf(c) = {Item::kUint, v};
}
void OnNegint8(void* c, uint8_t) {
  ItemOf(c) = {Item::kOther};
}
void OnNegint16(void* c, uint16_t) {
  ItemOf(c) = {Item::kOther};
}
void OnNegint32(void* c, uint32_t) {
  ItemOf(c) = {Item::kOther};
}
void OnNegint64(void* c, uint64_t) {
  ItemOf(c) = {Item::kOther};
}
void OnBytes(void* c, cbor_data d, size_t n) {
  ItemOf(c) = {Item::kBytes, n, d};
}
void OnText(void* c, cbor_data d, size_t n) {
  ItemOf(c) = {Item::kText, n, d};
}
void OnArray(void* c, size_t n) {
  ItemOf(c) = {Item::kArray, n};
}
void OnMap(void* c, size_t n) {
  ItemOf(c) = {Item::kMap, n};
}
void OnIndefinite(void* c) {
  ItemOf(c) = {Item::kIndefinite};
}
void OnBreak(void* c) {
  ItemOf(c) = {Item::kBreak};
}
void OnTag(void* c, uint64_t) {
  ItemOf(c) = {Item::kOther};
}
void OnFloat(void* c, float) {
  ItemOf(c) = {Item::kOther};
}
void OnDouble(void* c, double) {
  ItemOf(c) = {Item::kOther};
}
void OnSimple(void* c) {
  ItemOf(c) = {Item::kOther};
}
void OnBool(void* c, bool) {
  ItemOf(c) = {Item::kOther};
}

const cbor_callbacks kCallbacks = {
    .uint8 = OnUint8,
    .uint16 = OnUint16,
    .uint32 = OnUint32,
    .uint64 = OnUint64,
    .negint64 = OnNegint64,
    .negint32 = OnNegint32,
    .negint16 = OnNegint16,
    .negint8 = OnNegint8,
    .byte_string_start = OnIndefinite,
    .byte_string = OnBytes,
    .string = OnText,
    .string_start = OnIndefinite,
    .indef_array_start = OnIndefinite,
    .array_start = OnArray,
    .indef_map_start = OnIndefinite,
    .map_start = OnMap,
    .tag = OnTag,
    .float2 = OnFloat,
    .float4 = OnFloat,
    .float8 = OnDouble,
    .undefined = OnSimple,
    .null = OnSimple,
    .boolean = OnBool,
    .indef_break = OnBreak,
};

// The length of the shortest head that carries `v` (RFC 8949 section 4.2.1).
size_t ShortestHead(uint64_t v) {
  return v < 24 ? 1 : v <= UINT8_MAX ? 2 : v <= UINT16_MAX ? 3 : v <= UINT32_MAX ? 5 : 9;
}

// The smallest encoding of one element, used to refuse a declared count the rest of the input
// cannot hold before anything is sized by it.
inline constexpr size_t kMinComponentSize = 7;  // a3 00 60 01 00 02 a0
inline constexpr size_t kMinEventSize = 15;     // a7, seven keys, six 1-byte uints, ""
inline constexpr size_t kMinPageSize = 9;       // a4, four keys, four 1-byte uints

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool AtEnd() const { return p_ == end_; }
  size_t Remaining() const { return static_cast<size_t>(end_ - p_); }

  // The next item, well-formed and deterministically encoded; -EINVAL otherwise.
  int Next(Item& item) {
    if (p_ == end_) return -EINVAL;
    const cbor_decoder_result r = cbor_stream_decode(p_, Remaining(), &kCallbacks, &item);
    if (r.status != CBOR_DECODER_FINISHED) return -EINVAL;  // truncated, or reserved values
    size_t head = r.read;
    switch (item.kind) {
      case Item::kBytes:
      case Item::kText:
        head = r.read - item.value;
        [[fallthrough]];
      case Item::kUint:
      case Item::kArray:
      case Item::kMap:
        if (head != ShortestHead(item.value)) return -EINVAL;  // a longer head than needed
        break;
      case Item::kIndefinite:  // deterministic encoding has definite lengths only
      case Item::kBreak:       // a break outside an indefinite item is not even well-formed
        return -EINVAL;
      case Item::kOther:
        break;  // well-formed; the caller refuses the type
    }
    p_ += r.read;
    return 0;
  }

  int Uint(uint64_t& v) {
    Item item;
    if (int rc = Next(item); rc < 0) return rc;
    if (item.kind != Item::kUint) return -EPROTO;
    v = item.value;
    return 0;
  }

  // A uint no larger than `max`.
  int Uint32(uint32_t& v, uint32_t max = UINT32_MAX) {
    uint64_t x;
    if (int rc = Uint(x); rc < 0) return rc;
    if (x > max) return -EPROTO;
    v = static_cast<uint32_t>(x);
    return 0;
  }

  int Text(std::string& s, size_t max_len) {
    Item item;
    if (int rc = Next(item); rc < 0) return rc;
    if (item.kind != Item::kText) return -EPROTO;
    if (item.value > max_len) return -E2BIG;
    std::string_view text(reinterpret_cast<const char*>(item.data), item.value);
    if (!IsUtf8(text)) return -EINVAL;  // RFC 8949 section 5.3.1: invalid CBOR
    s.assign(text);
    return 0;
  }

  int Bytes(std::vector<uint8_t>& b, size_t max_len) {
    Item item;
    if (int rc = Next(item); rc < 0) return rc;
    if (item.kind != Item::kBytes) return -EPROTO;
    if (item.value > max_len) return -E2BIG;
    b.assign(item.data, item.data + item.value);
    return 0;
  }

  // An array head of at most `max` elements of at least `min_size` bytes each.
  int Array(size_t& n, size_t max, size_t min_size) {
    Item item;
    if (int rc = Next(item); rc < 0) return rc;
    if (item.kind != Item::kArray) return -EPROTO;
    if (item.value > max) return -E2BIG;
    if (item.value > Remaining() / min_size) return -EINVAL;  // more than the input can hold
    n = item.value;
    return 0;
  }

  // A map whose keys are uints below 32, in increasing order, each a bit of `allowed` and
  // together covering `required`. `value(key)` reads the value of each entry.
  template <typename ReadValue>
  int Map(uint32_t allowed, uint32_t required, ReadValue&& value) {
    Item item;
    if (int rc = Next(item); rc < 0) return rc;
    if (item.kind != Item::kMap) return -EPROTO;
    if (item.value > 32) return -EPROTO;  // more entries than there are keys
    uint32_t seen = 0;
    int64_t previous = -1;
    for (uint64_t i = 0; i < item.value; ++i) {
      uint64_t key;
      if (int rc = Uint(key); rc < 0) return rc;
      if (static_cast<int64_t>(key) <= previous && key < 32) return -EINVAL;  // order, repeats
      if (key >= 32 || !(allowed & (1u << key))) return -EPROTO;              // unknown key
      previous = static_cast<int64_t>(key);
      seen |= 1u << key;
      if (int rc = value(static_cast<uint32_t>(key)); rc < 0) return rc;
    }
    return (seen & required) == required ? 0 : -EPROTO;
  }

 private:
  const uint8_t* p_;
  const uint8_t* const end_;
};

constexpr uint32_t Keys(int n) {
  return (1u << n) - 1;
}

int ReadDevice(Reader& r, DeviceIdentity& d) {
  return r.Map(Keys(5), Keys(5), [&](uint32_t key) {
    namespace k = cbor::device_key;
    switch (key) {
      case k::kName:
        return r.Text(d.name, kMaxNameLen);
      case k::kDriver:
        return r.Text(d.driver, kMaxNameLen);
      case k::kSerial:
        return r.Text(d.serial, kMaxNameLen);
      case k::kBus:
        return r.Text(d.bus, kMaxNameLen);
      default:
        return r.Uint32(d.minor);
    }
  });
}

// A component's counters map: severity => [volatile, aggregate].
int ReadCounters(Reader& r, uint32_t component, std::vector<Counter>& out) {
  return r.Map(Keys(kSeverityCount), 0, [&](uint32_t severity) {
    size_t n;
    if (int rc = r.Array(n, SIZE_MAX, 1); rc < 0) return rc;
    if (n != 2) return -EPROTO;
    Counter c{.component = component, .severity = severity};
    if (int rc = r.Uint(c.volatile_count); rc < 0) return rc;
    if (int rc = r.Uint(c.aggregate_count); rc < 0) return rc;
    out.push_back(c);
    return 0;
  });
}

int ReadComponent(Reader& r, uint32_t index, Snapshot& s) {
  Component c;
  int rc = r.Map(Keys(3), Keys(3), [&](uint32_t key) {
    namespace k = cbor::component_key;
    switch (key) {
      case k::kName:
        return r.Text(c.name, kMaxNameLen);
      case k::kHealth: {
        uint32_t h;
        if (int e = r.Uint32(h, static_cast<uint32_t>(Health::kFailed)); e < 0) return e;
        c.health = static_cast<Health>(h);
        return 0;
      }
      default:
        return ReadCounters(r, index, s.counters);
    }
  });
  if (rc < 0) return rc;
  s.components.push_back(std::move(c));
  return 0;
}

int ReadEvent(Reader& r, Event& e) {
  namespace k = cbor::event_key;
  const uint32_t optional = 1u << k::kAddress | 1u << k::kRaw;
  return r.Map(Keys(9), Keys(9) & ~optional, [&](uint32_t key) {
    switch (key) {
      case k::kSeqno:
        return r.Uint(e.seqno);
      case k::kTimestamp:
        return r.Uint(e.timestamp_ns);
      case k::kComponent:
        return r.Uint32(e.component);
      case k::kSeverity:
        return r.Uint32(e.severity, kSeverityCount - 1);
      case k::kCode:
        return r.Uint32(e.code);
      case k::kCount:
        return r.Uint32(e.count);
      case k::kAddress:
        return r.Uint(e.address.emplace());
      case k::kMessage:
        return r.Text(e.message, kMaxMessageLen);
      default: {
        if (int rc = r.Bytes(e.raw, kMaxRawLen); rc < 0) return rc;
        return e.raw.empty() ? -EPROTO : 0;  // no blob is spelled by leaving the key out
      }
    }
  });
}

int ReadPage(Reader& r, RetiredPage& p) {
  return r.Map(Keys(4), Keys(4), [&](uint32_t key) {
    namespace k = cbor::page_key;
    switch (key) {
      case k::kAddress:
        return r.Uint(p.address);
      case k::kCause:
        return r.Uint32(p.cause, kSeverityCount - 1);
      case k::kState: {
        uint32_t state;
        if (int rc = r.Uint32(state, static_cast<uint32_t>(PageState::kRetired)); rc < 0) return rc;
        p.state = static_cast<PageState>(state);
        return 0;
      }
      default:
        return r.Uint(p.timestamp_ns);
    }
  });
}

// An array of `max` elements at most, each read by `element`.
template <typename ReadElement>
int ReadList(Reader& r, size_t max, size_t min_size, ReadElement&& element) {
  size_t n;
  if (int rc = r.Array(n, max, min_size); rc < 0) return rc;
  for (size_t i = 0; i < n; ++i)
    if (int rc = element(i); rc < 0) return rc;
  return 0;
}

int ReadSnapshot(Reader& r, Snapshot& s) {
  return r.Map(Keys(7), Keys(7), [&](uint32_t key) {
    namespace k = cbor::snapshot_key;
    switch (key) {
      case k::kVersion: {
        uint64_t version;
        if (int rc = r.Uint(version); rc < 0) return rc;
        return version == cbor::kLayoutVersion ? 0 : -EPROTO;
      }
      case k::kDevice:
        return ReadDevice(r, s.device);
      case k::kTimestamp:
        return r.Uint(s.timestamp_ns);
      case k::kComponents:
        return ReadList(r, kMaxComponents, kMinComponentSize,
                        [&](size_t i) { return ReadComponent(r, static_cast<uint32_t>(i), s); });
      case k::kEvents:
        return ReadList(r, kMaxEvents, kMinEventSize,
                        [&](size_t) { return ReadEvent(r, s.events.emplace_back()); });
      case k::kEventsDropped:
        return r.Uint(s.events_dropped);
      default:
        return ReadList(r, kMaxPages, kMinPageSize,
                        [&](size_t) { return ReadPage(r, s.pages.emplace_back()); });
    }
  });
}

}  // namespace

Result<Snapshot> DecodeCborSnapshot(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  Reader r(bytes);
  Snapshot s;
  if (int rc = ReadSnapshot(r, s); rc < 0) return Errno{rc};
  if (!r.AtEnd()) return Err(EINVAL);  // bytes after the snapshot
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  return s;
}

}  // namespace accel::ras
