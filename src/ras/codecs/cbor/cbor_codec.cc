// cbor_codec.cc - the CBOR encoder and the codec's table entry; the decoder is cbor_reader.cc.
//
// Why libcbor writes only the heads: its item API (cbor_build_uint8 and friends, then
// cbor_serialize) keeps whatever integer width the caller picked and writes map entries in
// insertion order, so it guarantees nothing about deterministic encoding, and it allocates an
// item per value. Its encoding.h functions (cbor_encode_uint, cbor_encode_map_start, ...)
// write one head in the shortest form RFC 8949 section 4.2.1 asks for, into a caller's buffer,
// which is exactly the part worth not rewriting. Key order is ours to keep: every map is
// written with its keys in increasing order, the order cbor_codec.h lists them in.
#include "ras/codecs/cbor/cbor_codec.h"

#include <cbor.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <string_view>

#include "ras/codecs/utf8.h"

namespace accel::ras {
namespace {

class Writer {
 public:
  explicit Writer(size_t expected) { out_.reserve(expected); }

  void Uint(uint64_t v) { Head(cbor_encode_uint(v, head_, sizeof(head_))); }
  void Array(size_t n) { Head(cbor_encode_array_start(n, head_, sizeof(head_))); }
  void Map(size_t n) { Head(cbor_encode_map_start(n, head_, sizeof(head_))); }
  void Text(std::string_view s) {
    Head(cbor_encode_string_start(s.size(), head_, sizeof(head_)));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void Bytes(std::span<const uint8_t> b) {
    Head(cbor_encode_bytestring_start(b.size(), head_, sizeof(head_)));
    out_.insert(out_.end(), b.begin(), b.end());
  }
  // One map entry with an unsigned value.
  void Entry(uint8_t k, uint64_t v) {
    Uint(k);
    Uint(v);
  }
  void Entry(uint8_t k, std::string_view v) {
    Uint(k);
    Text(v);
  }

  size_t size() const { return out_.size(); }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  // A head is at most 9 bytes, so the encoders never run out of room (they return 0 if so).
  void Head(size_t n) { out_.insert(out_.end(), head_, head_ + n); }

  unsigned char head_[9];
  std::vector<uint8_t> out_;
};

// One component map; `next` walks Snapshot::counters, sorted by (component, severity).
void WriteComponent(Writer& w, const Snapshot& s, uint32_t index, size_t& next) {
  size_t end = next;
  while (end < s.counters.size() && s.counters[end].component == index) ++end;
  w.Map(3);
  w.Entry(cbor::component_key::kName, s.components[index].name);
  w.Entry(cbor::component_key::kHealth, static_cast<uint32_t>(s.components[index].health));
  w.Uint(cbor::component_key::kCounters);
  w.Map(end - next);
  for (; next < end; ++next) {
    const Counter& k = s.counters[next];
    w.Uint(k.severity);
    w.Array(2);
    w.Uint(k.volatile_count);
    w.Uint(k.aggregate_count);
  }
}

void WriteEvent(Writer& w, const Event& e) {
  namespace k = cbor::event_key;
  w.Map(7 + (e.address ? 1 : 0) + (e.raw.empty() ? 0 : 1));
  w.Entry(k::kSeqno, e.seqno);
  w.Entry(k::kTimestamp, e.timestamp_ns);
  w.Entry(k::kComponent, e.component);
  w.Entry(k::kSeverity, e.severity);
  w.Entry(k::kCode, e.code);
  w.Entry(k::kCount, e.count);
  if (e.address) w.Entry(k::kAddress, *e.address);
  w.Entry(k::kMessage, e.message);
  if (!e.raw.empty()) {
    w.Uint(k::kRaw);
    w.Bytes(e.raw);
  }
}

void WritePage(Writer& w, const RetiredPage& p) {
  namespace k = cbor::page_key;
  w.Map(4);
  w.Entry(k::kAddress, p.address);
  w.Entry(k::kCause, p.cause);
  w.Entry(k::kState, static_cast<uint32_t>(p.state));
  w.Entry(k::kTimestamp, p.timestamp_ns);
}

const Codec kCborCodec = {
    .format = ACCEL_RAS_FMT_CBOR,
    .name = "cbor",
    .carries = kCarriesAll,
    .encode = EncodeCborSnapshot,
    .decode = DecodeCborSnapshot,
    .project = nullptr,
};

}  // namespace

Result<std::vector<uint8_t>> EncodeCborSnapshot(const Snapshot& s) {
  namespace k = cbor::snapshot_key;
  namespace d = cbor::device_key;
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  if (!TextIsUtf8(s)) return Err(EILSEQ);  // a CBOR text string must be UTF-8
  Writer w(128 + s.components.size() * 64 + s.events.size() * 48 + s.pages.size() * 32);
  w.Map(7);
  w.Entry(k::kVersion, cbor::kLayoutVersion);
  w.Uint(k::kDevice);
  w.Map(5);
  w.Entry(d::kName, s.device.name);
  w.Entry(d::kDriver, s.device.driver);
  w.Entry(d::kSerial, s.device.serial);
  w.Entry(d::kBus, s.device.bus);
  w.Entry(d::kMinor, s.device.minor);
  w.Entry(k::kTimestamp, s.timestamp_ns);
  w.Uint(k::kComponents);
  w.Array(s.components.size());
  size_t next_counter = 0;
  for (uint32_t i = 0; i < s.components.size(); ++i) WriteComponent(w, s, i, next_counter);
  w.Uint(k::kEvents);
  w.Array(s.events.size());
  for (const Event& e : s.events) {
    WriteEvent(w, e);
    if (w.size() > kMaxEncodedSize) return Err(E2BIG);  // raw blobs add up quickly
  }
  w.Entry(k::kEventsDropped, s.events_dropped);
  w.Uint(k::kPages);
  w.Array(s.pages.size());
  for (const RetiredPage& p : s.pages) WritePage(w, p);
  if (w.size() > kMaxEncodedSize) return Err(E2BIG);
  return w.Take();
}

const Codec& CborCodec() {
  return kCborCodec;
}

}  // namespace accel::ras
