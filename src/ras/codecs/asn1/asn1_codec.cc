// asn1_codec.cc - see asn1_codec.h; the schema is asn1/AccelRas.asn, the rules docs/ras/asn1.md.
//
// DOC: why libtasn1 sees one element at a time
//
// libtasn1 holds a decoded value as a tree of nodes of about 150 bytes each, and it reaches the
// N-th element of a SEQUENCE OF (or appends one) by walking the list from its head. Given the
// whole Snapshot it would spend some 70 bytes of memory per byte of hostile input and
// quadratic time on a long page list. So the codec frames the outer SEQUENCE and the four
// SEQUENCE OF lists itself (plain DER TLVs, every one checked canonical), counts each list's
// elements against the model's bounds before decoding any, and hands libtasn1 one Header,
// Component, Counter, Event or RetiredPage at a time: memory stays one element's worth and time
// linear. The bytes are exactly the DER of AccelRas.Snapshot; the tests compare them with
// libtasn1's encoding of the whole structure and decode them as a whole.
#include "ras/codecs/asn1/asn1_codec.h"

#include <uapi/accel/accel.h>

#include <cerrno>
#include <iterator>
#include <optional>
#include <string>

#include "ras/codecs/asn1/asn1_schema.h"
#include "ras/codecs/utf8.h"

namespace accel::ras {
namespace {

constexpr uint8_t kTagSequence = 0x30;  // UNIVERSAL 16, constructed
constexpr uint8_t kConstructed = 0x20;
constexpr uint64_t kVersion = 1;
constexpr size_t kListCount = 4;  // components, counters, events, pages
constexpr size_t kMaxCounters = size_t{kMaxComponents} * kSeverityCount;
// Snapshot (0) > header or list (1) > DeviceIdentity or list element (2) > primitive fields.
constexpr int kDeepestConstructed = 2;
// The DER of the largest element (an Event with a full message and blob) is about 4.4 KiB.
constexpr size_t kElementBudget = 8192;

static_assert(ACCEL_RAS_SEV_COUNT == kSeverityCount, "ENUMERATED Severity follows the uAPI");

// ---- Encoding: one structure per element, the lists framed here.

// Sets an INTEGER or ENUMERATED field. libtasn1 takes big-endian two's complement and drops
// redundant leading bytes; the leading 0x00 keeps values >= 2^63 positive.
bool WriteUnsigned(asn1_node node, const char* field, uint64_t value) {
  uint8_t be[9] = {0};
  for (int i = 0; i < 8; ++i) be[8 - i] = static_cast<uint8_t>(value >> (8 * i));
  return asn1_write_value(node, field, be, sizeof(be)) == ASN1_SUCCESS;
}

// Sets a UTF8String or OCTET STRING field. libtasn1 reads a length of 0 as "NUL-terminated",
// so an empty value goes in as "".
template <typename Bytes>
bool WriteOctets(asn1_node node, const char* field, const Bytes& bytes) {
  if (bytes.empty()) return asn1_write_value(node, field, "", 0) == ASN1_SUCCESS;
  return asn1_write_value(node, field, bytes.data(), static_cast<int>(bytes.size())) ==
         ASN1_SUCCESS;
}

bool FillHeader(asn1_node n, const Snapshot& s) {
  const DeviceIdentity& d = s.device;
  return WriteUnsigned(n, "version", kVersion) && WriteOctets(n, "device.name", d.name) &&
         WriteOctets(n, "device.driver", d.driver) && WriteOctets(n, "device.serial", d.serial) &&
         WriteOctets(n, "device.bus", d.bus) && WriteUnsigned(n, "device.minor", d.minor) &&
         WriteUnsigned(n, "timestampNs", s.timestamp_ns) &&
         WriteUnsigned(n, "eventsDropped", s.events_dropped);
}

bool FillComponent(asn1_node n, const Component& c) {
  return WriteOctets(n, "name", c.name) &&
         WriteUnsigned(n, "health", static_cast<uint32_t>(c.health));
}

bool FillCounter(asn1_node n, const Counter& c) {
  return WriteUnsigned(n, "component", c.component) && WriteUnsigned(n, "severity", c.severity) &&
         WriteUnsigned(n, "volatileCount", c.volatile_count) &&
         WriteUnsigned(n, "aggregateCount", c.aggregate_count);
}

bool FillEvent(asn1_node n, const Event& e) {
  // An OPTIONAL field left out must be removed from the structure, or DER coding fails.
  const bool address = e.address ? WriteUnsigned(n, "address", *e.address)
                                 : asn1_write_value(n, "address", nullptr, 0) == ASN1_SUCCESS;
  return address && WriteUnsigned(n, "seqno", e.seqno) &&
         WriteUnsigned(n, "timestampNs", e.timestamp_ns) &&
         WriteUnsigned(n, "component", e.component) && WriteUnsigned(n, "severity", e.severity) &&
         WriteUnsigned(n, "code", e.code) && WriteUnsigned(n, "count", e.count) &&
         WriteOctets(n, "message", e.message) && WriteOctets(n, "raw", e.raw);
}

bool FillPage(asn1_node n, const RetiredPage& p) {
  return WriteUnsigned(n, "address", p.address) && WriteUnsigned(n, "cause", p.cause) &&
         WriteUnsigned(n, "state", static_cast<uint32_t>(p.state)) &&
         WriteUnsigned(n, "timestampNs", p.timestamp_ns);
}

// Builds structures one at a time and appends their DER, through one scratch buffer.
class ElementEncoder {
 public:
  template <typename T>
  int Append(const char* type, bool (*fill)(asn1_node, const T&), const T& value,
             std::vector<uint8_t>& out) {
    asn1::Element element(type);
    if (!element) return -ENOMEM;
    if (!fill(element.get(), value)) return -EINVAL;
    int size = static_cast<int>(scratch_.size());
    int rc = asn1_der_coding(element.get(), "", scratch_.data(), &size, nullptr);
    if (rc == ASN1_MEM_ERROR) {  // size now says how much it needs
      scratch_.resize(static_cast<size_t>(size));
      rc = asn1_der_coding(element.get(), "", scratch_.data(), &size, nullptr);
    }
    if (rc != ASN1_SUCCESS) return -EINVAL;
    out.insert(out.end(), scratch_.begin(), scratch_.begin() + size);
    return out.size() > kMaxEncodedSize ? -E2BIG : 0;
  }

 private:
  std::vector<uint8_t> scratch_ = std::vector<uint8_t>(kElementBudget);
};

void AppendTagLength(uint8_t tag, size_t length, std::vector<uint8_t>& out) {
  unsigned char der_length[ASN1_MAX_LENGTH_SIZE];
  int n = 0;
  asn1_length_der(length, der_length, &n);
  out.push_back(tag);
  out.insert(out.end(), der_length, der_length + n);
}

// Appends SEQUENCE OF `type` holding `items`.
template <typename T>
int AppendList(ElementEncoder& encoder, const char* type, bool (*fill)(asn1_node, const T&),
               const std::vector<T>& items, std::vector<uint8_t>& out) {
  std::vector<uint8_t> body;
  for (const T& item : items)
    if (int rc = encoder.Append(type, fill, item, body); rc < 0) return rc;
  AppendTagLength(kTagSequence, body.size(), out);
  out.insert(out.end(), body.begin(), body.end());
  return 0;
}

Result<std::vector<uint8_t>> Encode(const Snapshot& s) {
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  if (!TextIsUtf8(s)) return Err(EILSEQ);  // a UTF8String holds UTF-8 and nothing else
  ElementEncoder encoder;
  std::vector<uint8_t> body;
  int rc = encoder.Append("AccelRas.Header", FillHeader, s, body);
  if (rc == 0) rc = AppendList(encoder, "AccelRas.Component", FillComponent, s.components, body);
  if (rc == 0) rc = AppendList(encoder, "AccelRas.Counter", FillCounter, s.counters, body);
  if (rc == 0) rc = AppendList(encoder, "AccelRas.Event", FillEvent, s.events, body);
  if (rc == 0) rc = AppendList(encoder, "AccelRas.RetiredPage", FillPage, s.pages, body);
  if (rc < 0) return Errno{rc};
  std::vector<uint8_t> out;
  out.reserve(body.size() + 1 + ASN1_MAX_LENGTH_SIZE);
  AppendTagLength(kTagSequence, body.size(), out);
  out.insert(out.end(), body.begin(), body.end());
  if (out.size() > kMaxEncodedSize) return Err(E2BIG);
  return out;
}

// ---- Decoding: canonical DER checked and lists counted here, elements through libtasn1.

struct Tlv {
  uint8_t tag = 0;
  std::span<const uint8_t> whole;    // tag, length and content
  std::span<const uint8_t> content;  // the value
};

// Reads the TLV at the front of `in` under DER's rules: one-byte tags (the schema has none
// above 30), definite lengths in their shortest form. -EINVAL when truncated or not DER.
Result<Tlv> ReadTlv(std::span<const uint8_t> in) {
  if (in.size() < 2) return Err(EINVAL);
  if ((in[0] & 0x1f) == 0x1f) return Err(EINVAL);  // high-tag-number form
  size_t length = in[1];
  size_t header = 2;
  if (length & 0x80) {
    const size_t n = length & 0x7f;
    if (n == 0) return Err(EINVAL);                      // indefinite length: BER, never DER
    if (n > 4 || in.size() < 2 + n) return Err(EINVAL);  // 4 bytes pass kMaxEncodedSize
    if (in[2] == 0) return Err(EINVAL);                  // a leading zero byte: not shortest
    length = 0;
    for (size_t i = 0; i < n; ++i) length = length << 8 | in[2 + i];
    if (length < 0x80) return Err(EINVAL);  // fits the short form
    header += n;
  }
  if (length > in.size() - header) return Err(EINVAL);
  return Tlv{in[0], in.first(header + length), in.subspan(header, length)};
}

// Checks that `in` is a run of canonical DER TLVs, recursing into constructed ones no deeper
// than the schema nests (which also bounds the recursion).
int CheckDer(std::span<const uint8_t> in, int depth) {
  while (!in.empty()) {
    Result<Tlv> tlv = ReadTlv(in);
    if (!tlv) return tlv.error();
    if (tlv->tag & kConstructed) {
      if (depth > kDeepestConstructed) return -EPROTO;
      if (int rc = CheckDer(tlv->content, depth + 1); rc < 0) return rc;
    }
    in = in.subspan(tlv->whole.size());
  }
  return 0;
}

// The elements of a SEQUENCE OF (already checked by CheckDer); -E2BIG past `max`, before any
// element is decoded.
Result<std::vector<std::span<const uint8_t>>> ListElements(std::span<const uint8_t> content,
                                                           size_t max) {
  std::vector<std::span<const uint8_t>> elements;
  while (!content.empty()) {
    Result<Tlv> tlv = ReadTlv(content);
    if (!tlv) return Errno{tlv.error()};
    if (elements.size() == max) return Err(E2BIG);
    elements.push_back(tlv->whole);
    content = content.subspan(tlv->whole.size());
  }
  return elements;
}

// Decodes one DER element into `element` (a fresh structure of the expected type).
int DecodeElement(std::span<const uint8_t> der, asn1::Element& element) {
  if (!element) return -ENOMEM;
  int size = static_cast<int>(der.size());
  char error[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
  const int rc =
      asn1_der_decoding2(element.address(), der.data(), &size, ASN1_DECODE_FLAG_STRICT_DER, error);
  if (rc == ASN1_MEM_ALLOC_ERROR) return -ENOMEM;
  if (rc == ASN1_TAG_ERROR) return -EPROTO;  // a field of another type than the schema's
  if (rc != ASN1_SUCCESS || static_cast<size_t>(size) != der.size()) return -EINVAL;
  return 0;
}

// Reads the fields of one decoded structure and keeps the first error, so that a caller reads
// them all and checks once.
class FieldReader {
 public:
  explicit FieldReader(asn1_node node) : node_(node) {}

  int error() const { return error_; }

  // A non-negative INTEGER or ENUMERATED no larger than `max`, in its minimal encoding.
  uint64_t Unsigned(const char* field, uint64_t max) {
    std::optional<uint64_t> v = OptionalUnsigned(field, max);
    if (!v) Fail(-EINVAL);
    return v.value_or(0);
  }
  uint32_t Uint32(const char* field, uint32_t max = UINT32_MAX) {
    return static_cast<uint32_t>(Unsigned(field, max));
  }

  // nullopt when the field is absent (or on error).
  std::optional<uint64_t> OptionalUnsigned(const char* field, uint64_t max) {
    uint8_t be[16];
    int len = sizeof(be);
    const int rc = asn1_read_value(node_, field, be, &len);
    if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND) return std::nullopt;
    if (rc == ASN1_MEM_ERROR) return Fail(-E2BIG);
    if (rc != ASN1_SUCCESS || len < 1) return Fail(-EINVAL);
    if (be[0] & 0x80) return Fail(-EINVAL);  // negative
    int i = 0;
    if (len > 1 && be[0] == 0) {
      if (!(be[1] & 0x80)) return Fail(-EINVAL);  // a redundant leading zero: not DER
      i = 1;                                      // the zero that keeps 2^63.. positive
    }
    if (len - i > 8) return Fail(-E2BIG);
    uint64_t v = 0;
    for (; i < len; ++i) v = v << 8 | be[i];
    if (v > max) return Fail(-E2BIG);
    return v;
  }

  // A UTF8String or OCTET STRING of at most `max` bytes (at most kMaxRawLen).
  template <typename Bytes>
  void Octets(const char* field, size_t max, Bytes& out) {
    uint8_t buf[kMaxRawLen];
    int len = static_cast<int>(max);
    const int rc = asn1_read_value(node_, field, buf, &len);
    if (rc == ASN1_MEM_ERROR) {
      Fail(-E2BIG);
    } else if (rc != ASN1_SUCCESS) {
      Fail(-EINVAL);
    } else {
      out.assign(buf, buf + len);
    }
  }

 private:
  std::nullopt_t Fail(int error) {
    if (error_ == 0) error_ = error;
    return std::nullopt;
  }

  asn1_node node_;
  int error_ = 0;
};

constexpr uint64_t kMaxSeverity = kSeverityCount - 1;

int ReadHeader(FieldReader& r, Snapshot& s) {
  const uint64_t version = r.Unsigned("version", UINT64_MAX);
  if (r.error() == 0 && version != kVersion) return -EPROTO;
  DeviceIdentity& d = s.device;
  r.Octets("device.name", kMaxNameLen, d.name);
  r.Octets("device.driver", kMaxNameLen, d.driver);
  r.Octets("device.serial", kMaxNameLen, d.serial);
  r.Octets("device.bus", kMaxNameLen, d.bus);
  d.minor = r.Uint32("device.minor");
  s.timestamp_ns = r.Unsigned("timestampNs", UINT64_MAX);
  s.events_dropped = r.Unsigned("eventsDropped", UINT64_MAX);
  return r.error();
}

int ReadComponent(FieldReader& r, Component& c) {
  r.Octets("name", kMaxNameLen, c.name);
  c.health = static_cast<Health>(r.Uint32("health", static_cast<uint32_t>(Health::kFailed)));
  return r.error();
}

int ReadCounter(FieldReader& r, Counter& c) {
  c.component = r.Uint32("component");
  c.severity = r.Uint32("severity", kMaxSeverity);
  c.volatile_count = r.Unsigned("volatileCount", UINT64_MAX);
  c.aggregate_count = r.Unsigned("aggregateCount", UINT64_MAX);
  return r.error();
}

int ReadEvent(FieldReader& r, Event& e) {
  e.seqno = r.Unsigned("seqno", UINT64_MAX);
  e.timestamp_ns = r.Unsigned("timestampNs", UINT64_MAX);
  e.component = r.Uint32("component");
  e.severity = r.Uint32("severity", kMaxSeverity);
  e.code = r.Uint32("code");
  e.count = r.Uint32("count");
  e.address = r.OptionalUnsigned("address", UINT64_MAX);
  r.Octets("message", kMaxMessageLen, e.message);
  r.Octets("raw", kMaxRawLen, e.raw);
  return r.error();
}

int ReadPage(FieldReader& r, RetiredPage& p) {
  p.address = r.Unsigned("address", UINT64_MAX);
  p.cause = r.Uint32("cause", kMaxSeverity);
  p.state = static_cast<PageState>(r.Uint32("state", static_cast<uint32_t>(PageState::kRetired)));
  p.timestamp_ns = r.Unsigned("timestampNs", UINT64_MAX);
  return r.error();
}

// Decodes one element of `type` from `der` and reads it into `value`.
template <typename T>
int DecodeOne(std::span<const uint8_t> der, const char* type, int (*read)(FieldReader&, T&),
              T& value) {
  asn1::Element element(type);
  if (int rc = DecodeElement(der, element); rc < 0) return rc;
  FieldReader reader(element.get());
  return read(reader, value);
}

template <typename T>
int DecodeList(std::span<const uint8_t> content, size_t max, const char* type,
               int (*read)(FieldReader&, T&), std::vector<T>& out) {
  Result<std::vector<std::span<const uint8_t>>> elements = ListElements(content, max);
  if (!elements) return elements.error();
  out.resize(elements->size());
  for (size_t i = 0; i < out.size(); ++i)
    if (int rc = DecodeOne((*elements)[i], type, read, out[i]); rc < 0) return rc;
  return 0;
}

Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  if (int rc = CheckDer(bytes, 0); rc < 0) return Errno{rc};
  Result<Tlv> top = ReadTlv(bytes);
  if (!top) return Errno{top.error()};
  if (top->whole.size() != bytes.size()) return Err(EINVAL);  // trailing bytes
  if (top->tag != kTagSequence) return Err(EPROTO);

  // header, then the four lists, each a SEQUENCE.
  Tlv parts[1 + kListCount];
  size_t n = 0;
  for (std::span<const uint8_t> rest = top->content; !rest.empty(); ++n) {
    Result<Tlv> part = ReadTlv(rest);
    if (!part) return Errno{part.error()};
    if (n == std::size(parts) || part->tag != kTagSequence) return Err(EPROTO);
    parts[n] = *part;
    rest = rest.subspan(part->whole.size());
  }
  if (n != std::size(parts)) return Err(EPROTO);

  Snapshot s;
  int rc = DecodeOne(parts[0].whole, "AccelRas.Header", ReadHeader, s);
  if (rc == 0)
    rc = DecodeList(parts[1].content, kMaxComponents, "AccelRas.Component", ReadComponent,
                    s.components);
  if (rc == 0)
    rc = DecodeList(parts[2].content, kMaxCounters, "AccelRas.Counter", ReadCounter, s.counters);
  if (rc == 0) rc = DecodeList(parts[3].content, kMaxEvents, "AccelRas.Event", ReadEvent, s.events);
  if (rc == 0)
    rc = DecodeList(parts[4].content, kMaxPages, "AccelRas.RetiredPage", ReadPage, s.pages);
  if (rc == 0 && !TextIsUtf8(s)) rc = -EINVAL;  // the encoder writes UTF-8 only
  if (rc == 0) rc = Validate(s);
  if (rc < 0) return Errno{rc};
  return s;
}

}  // namespace

const Codec& Asn1Codec() {
  static const Codec codec = {ACCEL_RAS_FMT_ASN1, "asn1", kCarriesAll, Encode, Decode, nullptr};
  return codec;
}

}  // namespace accel::ras
