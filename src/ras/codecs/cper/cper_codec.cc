// cper_codec.cc - see cper_codec.h; the field tables are in docs/ras/cper.md.
//
// Layouts follow the UEFI specification, appendix N (N.2.1 record header, N.2.2 section
// descriptor); every integer is little-endian and every structure byte-packed, so the codec
// reads and writes bytes at fixed offsets and never overlays a struct on the input.
#include "ras/codecs/cper/cper_codec.h"

#include <time.h>
#include <uapi/accel/accel.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace accel::ras {
namespace {

// EFI_GUID: Data1..Data3 little-endian, Data4 as bytes.
struct Guid {
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t data4[8];
  bool operator==(const Guid&) const = default;
};

// {5CE13F44-429E-4E1C-A7F8-2A3FF9E86325}: accel's section type, one RAS event per section with
// the body laid out below. Generated at random for accel.
constexpr Guid kAccelEventSection = {
    0x5ce13f44, 0x429e, 0x4e1c, {0xa7, 0xf8, 0x2a, 0x3f, 0xf9, 0xe8, 0x63, 0x25}};
// {2AFE07DB-5A06-4120-BA16-FA872B92A509}: accel as the creator of a record.
constexpr Guid kAccelCreator = {
    0x2afe07db, 0x5a06, 0x4120, {0xba, 0x16, 0xfa, 0x87, 0x2b, 0x92, 0xa5, 0x09}};
// Notification types of N.2.1: Machine Check Exception, Corrected Machine Check.
constexpr Guid kNotifyMce = {
    0xe8f56ffe, 0x919c, 0x4cc5, {0xba, 0x88, 0x65, 0xab, 0xe1, 0x49, 0x13, 0xbb}};
constexpr Guid kNotifyCmc = {
    0x2dce8bb1, 0xbdd7, 0x450e, {0xb9, 0xad, 0x9c, 0xf4, 0xeb, 0xd4, 0xf8, 0x90}};

// Record header (N.2.1): offsets from the first byte of the record.
namespace header {
constexpr size_t kSize = 128;
constexpr size_t kSignature = 0;          // "CPER"
constexpr size_t kRevision = 4;           // u16, BCD major.minor
constexpr size_t kSignatureEnd = 6;       // u32, 0xffffffff
constexpr size_t kSectionCount = 10;      // u16
constexpr size_t kSeverity = 12;          // u32, the worst of the sections
constexpr size_t kValidation = 16;        // u32
constexpr size_t kRecordLength = 20;      // u32, header + descriptors + bodies
constexpr size_t kTimestamp = 24;         // 8 bytes BCD
constexpr size_t kCreatorId = 64;         // GUID (platform id at 32, partition id at 48: zero)
constexpr size_t kNotificationType = 80;  // GUID
constexpr size_t kRecordId = 96;          // u64 (flags at 104, persistence info at 108: zero)
constexpr size_t kReserved = 116;         // 12 bytes, zero
constexpr size_t kReservedSize = 12;
constexpr uint16_t kRevisionValue = 0x0101;  // UEFI 2.x (EDK2's EFI_ERROR_RECORD_REVISION)
constexpr uint32_t kSignatureEndValue = 0xffffffff;
constexpr uint32_t kValidTimestamp = 1u << 1;  // bit 0 platform id, bit 2 partition id
constexpr uint32_t kValidMask = 0x7;
}  // namespace header

// Section descriptor (N.2.2): offsets from the descriptor's first byte.
namespace descriptor {
constexpr size_t kSize = 72;
constexpr size_t kOffset = 0;        // u32, of the body from the record's first byte
constexpr size_t kLength = 4;        // u32, of the body
constexpr size_t kRevision = 8;      // u16, BCD
constexpr size_t kValidation = 10;   // u8
constexpr size_t kReserved = 11;     // u8, zero
constexpr size_t kFlags = 12;        // u32
constexpr size_t kSectionType = 16;  // GUID (FRU id at 32: zero, not valid)
constexpr size_t kSeverity = 48;     // u32
constexpr size_t kFruText = 52;      // 20 bytes
constexpr size_t kFruTextSize = 20;
constexpr uint16_t kRevisionValue = 0x0100;
constexpr uint8_t kValidFruText = 1u << 1;  // bit 0 would be the FRU id
constexpr uint8_t kValidMask = 0x3;
constexpr uint32_t kFlagPrimary = 1u << 0;
constexpr uint32_t kFlagLatentError = 1u << 5;  // contained (poisoned), not yet consumed
}  // namespace descriptor

// accel's event section body: offsets from the body's first byte.
namespace body {
constexpr size_t kComponent = 0;       // u32, index into the snapshot's components
constexpr size_t kSeverity = 4;        // u32, ACCEL_RAS_SEV_*
constexpr size_t kCode = 8;            // u32
constexpr size_t kCount = 12;          // u32
constexpr size_t kFlags = 16;          // u32
constexpr size_t kReserved = 20;       // u32, zero
constexpr size_t kAddress = 24;        // u64, zero unless kAddressValid
constexpr size_t kTimestamp = 32;      // u64, ns CLOCK_REALTIME
constexpr size_t kSeqno = 40;          // u64
constexpr size_t kComponentName = 48;  // 16 bytes, NUL-padded
constexpr size_t kMessageLength = 64;  // u16, then the message, then u16 raw length, then raw
constexpr size_t kComponentNameSize = 16;
constexpr size_t kFixedSize = 68;  // all but the message and blob bytes
constexpr uint32_t kAddressValid = 1u << 0;
}  // namespace body

// Error severities of N.2.1.
enum CperSeverity : uint32_t { kRecoverable = 0, kFatal = 1, kCorrected = 2, kInformational = 3 };

constexpr uint64_t kNsPerSecond = 1000000000;

static_assert(ACCEL_RAS_SEV_COUNT == kSeverityCount, "section bodies carry ACCEL_RAS_SEV_*");
static_assert(kMaxEvents <= UINT16_MAX, "section count is 16 bits");
static_assert(kMaxMessageLen <= UINT16_MAX && kMaxRawLen <= UINT16_MAX, "lengths are 16 bits");

// DESIGN.md's mapping; the section body keeps accel's severity, so deferred and uncorrected
// stay apart.
uint32_t ToCper(uint32_t severity) {
  switch (static_cast<Severity>(severity)) {
    case Severity::kCorrected:
      return kCorrected;
    case Severity::kDeferred:
    case Severity::kUncorrected:
      return kRecoverable;
    case Severity::kFatal:
      return kFatal;
    case Severity::kInformational:
      break;
  }
  return kInformational;
}

// Worse severities rank higher: fatal, recoverable, corrected, informational.
int Rank(uint32_t cper_severity) {
  constexpr int kRank[] = {2, 3, 1, 0};
  return cper_severity <= kInformational ? kRank[cper_severity] : -1;
}

// ---- Little-endian fields.

void Put16(uint8_t* p, uint16_t v) {
  for (int i = 0; i < 2; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint16_t Get16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}
uint32_t Get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
uint64_t Get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

void PutGuid(uint8_t* p, const Guid& g) {
  Put32(p, g.data1);
  Put16(p + 4, g.data2);
  Put16(p + 6, g.data3);
  std::memcpy(p + 8, g.data4, sizeof(g.data4));
}
Guid GetGuid(const uint8_t* p) {
  Guid g = {Get32(p), Get16(p + 4), Get16(p + 6), {}};
  std::memcpy(g.data4, p + 8, sizeof(g.data4));
  return g;
}

// A text field of `size` bytes: the text cut to fit, NUL-padded (the output is pre-zeroed).
void PutText(uint8_t* p, size_t size, const std::string& text) {
  std::memcpy(p, text.data(), std::min(size, text.size()));
}
// The text up to the first NUL; nullopt when anything but NULs follows it.
std::optional<std::string> GetText(const uint8_t* p, size_t size) {
  const uint8_t* end = std::find(p, p + size, 0);
  if (std::any_of(end, p + size, [](uint8_t c) { return c != 0; })) return std::nullopt;
  return std::string(p, end);
}

// ---- Timestamp (N.2.1.1): BCD seconds, minutes, hours, flags, day, month, year, century.

constexpr size_t kTimestampFlags = 3;
constexpr uint8_t kTimestampPrecise = 1u << 0;  // the time of the error itself, not of logging

uint8_t ToBcd(int v) {
  return static_cast<uint8_t>((v / 10) << 4 | v % 10);
}
std::optional<int> FromBcd(uint8_t b) {
  if ((b >> 4) > 9 || (b & 0xf) > 9) return std::nullopt;
  return (b >> 4) * 10 + (b & 0xf);
}

// The snapshot's time, to the second; not precise (it is when the record was made).
void PutTimestamp(uint8_t* p, uint64_t ns) {
  const time_t seconds = static_cast<time_t>(ns / kNsPerSecond);
  struct tm tm = {};
  gmtime_r(&seconds, &tm);
  const int year = tm.tm_year + 1900;  // at most 2554: a u64 of nanoseconds ends there
  const int fields[8] = {tm.tm_sec,  tm.tm_min,     tm.tm_hour, 0,
                         tm.tm_mday, tm.tm_mon + 1, year % 100, year / 100};
  for (size_t i = 0; i < 8; ++i) p[i] = i == kTimestampFlags ? 0 : ToBcd(fields[i]);
}

Result<uint64_t> GetTimestamp(const uint8_t* p) {
  int v[8] = {};
  for (size_t i = 0; i < 8; ++i) {
    if (i == kTimestampFlags) continue;
    std::optional<int> digit = FromBcd(p[i]);
    if (!digit) return Err(EINVAL);
    v[i] = *digit;
  }
  if (p[kTimestampFlags] & ~kTimestampPrecise) return Err(EINVAL);  // reserved bits
  struct tm tm = {};
  tm.tm_sec = v[0];
  tm.tm_min = v[1];
  tm.tm_hour = v[2];
  tm.tm_mday = v[4];
  tm.tm_mon = v[5] - 1;
  tm.tm_year = v[7] * 100 + v[6] - 1900;
  const struct tm want = tm;
  const time_t t = timegm(&tm);
  // timegm() normalises (February 30 becomes March 2): a field it changed was no date.
  if (tm.tm_sec != want.tm_sec || tm.tm_min != want.tm_min || tm.tm_hour != want.tm_hour ||
      tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon || tm.tm_year != want.tm_year)
    return Err(EINVAL);
  if (t < 0 || static_cast<uint64_t>(t) > UINT64_MAX / kNsPerSecond) return Err(EINVAL);
  return static_cast<uint64_t>(t) * kNsPerSecond;
}

// ---- Encoding.

size_t BodySize(const Event& e) {
  return body::kFixedSize + e.message.size() + e.raw.size();
}

void PutBody(uint8_t* p, const Event& e, const std::string& component_name) {
  Put32(p + body::kComponent, e.component);
  Put32(p + body::kSeverity, e.severity);
  Put32(p + body::kCode, e.code);
  Put32(p + body::kCount, e.count);
  Put32(p + body::kFlags, e.address ? body::kAddressValid : 0);
  Put64(p + body::kAddress, e.address.value_or(0));
  Put64(p + body::kTimestamp, e.timestamp_ns);
  Put64(p + body::kSeqno, e.seqno);
  PutText(p + body::kComponentName, body::kComponentNameSize, component_name);
  uint8_t* q = p + body::kMessageLength;
  Put16(q, static_cast<uint16_t>(e.message.size()));
  std::memcpy(q + 2, e.message.data(), e.message.size());
  q += 2 + e.message.size();
  Put16(q, static_cast<uint16_t>(e.raw.size()));
  if (!e.raw.empty()) std::memcpy(q + 2, e.raw.data(), e.raw.size());
}

uint32_t WorstSeverity(const std::vector<Event>& events) {
  uint32_t worst = kInformational;  // also the severity of a record with no section
  for (const Event& e : events)
    if (Rank(ToCper(e.severity)) > Rank(worst)) worst = ToCper(e.severity);
  return worst;
}

Result<std::vector<uint8_t>> Encode(const Snapshot& s) {
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  const size_t n = s.events.size();
  size_t total = header::kSize + n * descriptor::kSize;
  for (const Event& e : s.events) total += BodySize(e);
  if (total > kMaxEncodedSize) return Err(E2BIG);

  std::vector<uint8_t> out(total);  // zero: reserved fields, unused ids, padding of texts
  uint8_t* h = out.data();
  const uint32_t worst = WorstSeverity(s.events);
  std::memcpy(h + header::kSignature, "CPER", 4);
  Put16(h + header::kRevision, header::kRevisionValue);
  Put32(h + header::kSignatureEnd, header::kSignatureEndValue);
  Put16(h + header::kSectionCount, static_cast<uint16_t>(n));
  Put32(h + header::kSeverity, worst);
  Put32(h + header::kValidation, header::kValidTimestamp);
  Put32(h + header::kRecordLength, static_cast<uint32_t>(total));
  PutTimestamp(h + header::kTimestamp, s.timestamp_ns);
  PutGuid(h + header::kCreatorId, kAccelCreator);
  const bool machine_check = worst == kFatal || worst == kRecoverable;
  PutGuid(h + header::kNotificationType, machine_check ? kNotifyMce : kNotifyCmc);
  Put64(h + header::kRecordId, s.timestamp_ns);  // unique per device, not read back

  size_t offset = header::kSize + n * descriptor::kSize;
  bool primary_given = false;
  for (size_t i = 0; i < n; ++i) {
    const Event& e = s.events[i];
    const uint32_t severity = ToCper(e.severity);
    uint32_t flags = 0;
    if (!primary_given && severity == worst) {  // the section the record is about
      flags |= descriptor::kFlagPrimary;
      primary_given = true;
    }
    if (e.severity == static_cast<uint32_t>(Severity::kDeferred))
      flags |= descriptor::kFlagLatentError;
    uint8_t* d = h + header::kSize + i * descriptor::kSize;
    Put32(d + descriptor::kOffset, static_cast<uint32_t>(offset));
    Put32(d + descriptor::kLength, static_cast<uint32_t>(BodySize(e)));
    Put16(d + descriptor::kRevision, descriptor::kRevisionValue);
    d[descriptor::kValidation] = descriptor::kValidFruText;
    Put32(d + descriptor::kFlags, flags);
    PutGuid(d + descriptor::kSectionType, kAccelEventSection);
    Put32(d + descriptor::kSeverity, severity);
    PutText(d + descriptor::kFruText, descriptor::kFruTextSize, s.device.name);
    PutBody(h + offset, e, s.components[e.component].name);
    offset += BodySize(e);
  }
  return out;
}

// ---- Decoding.

int GetBody(std::span<const uint8_t> b, Event& e, std::string& component_name) {
  if (b.size() < body::kFixedSize) return -EINVAL;
  const uint8_t* p = b.data();
  e.component = Get32(p + body::kComponent);
  e.severity = Get32(p + body::kSeverity);
  e.code = Get32(p + body::kCode);
  e.count = Get32(p + body::kCount);
  const uint32_t flags = Get32(p + body::kFlags);
  const uint64_t address = Get64(p + body::kAddress);
  if ((flags & ~body::kAddressValid) != 0 || Get32(p + body::kReserved) != 0) return -EINVAL;
  if (flags & body::kAddressValid)
    e.address = address;
  else if (address != 0)
    return -EINVAL;
  e.timestamp_ns = Get64(p + body::kTimestamp);
  e.seqno = Get64(p + body::kSeqno);
  std::optional<std::string> name = GetText(p + body::kComponentName, body::kComponentNameSize);
  if (!name) return -EINVAL;
  component_name = std::move(*name);

  const size_t message = Get16(p + body::kMessageLength);
  if (message > kMaxMessageLen) return -E2BIG;
  if (body::kFixedSize + message > b.size()) return -EINVAL;
  const uint8_t* q = p + body::kMessageLength + 2;
  e.message.assign(q, q + message);
  q += message;
  const size_t raw = Get16(q);
  if (raw > kMaxRawLen) return -E2BIG;
  if (body::kFixedSize + message + raw != b.size()) return -EINVAL;
  e.raw.assign(q + 2, q + 2 + raw);
  return 0;
}

// The bodies, in any order, tile the record after the descriptors: none outside it, none
// overlapping another, no byte that belongs to no section.
int CheckExtents(std::vector<std::pair<size_t, size_t>> extents, size_t first, size_t end) {
  std::sort(extents.begin(), extents.end());
  size_t covered = first;
  for (const auto& [offset, length] : extents) {
    if (offset != covered || length > end - offset) return -EINVAL;
    covered = offset + length;
  }
  return covered == end ? 0 : -EINVAL;
}

// Adds the event's component to s.components (index and name), checking that every section
// names a component alike.
int AddComponent(uint32_t index, std::string name, std::vector<bool>& named, Snapshot& s) {
  if (index >= kMaxComponents) return -E2BIG;
  if (index >= s.components.size()) {
    s.components.resize(index + 1);
    named.resize(index + 1);
  }
  if (named[index]) return s.components[index].name == name ? 0 : -EINVAL;
  s.components[index].name = std::move(name);
  named[index] = true;
  return 0;
}

Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  if (bytes.size() < header::kSize) return Err(EINVAL);
  const uint8_t* h = bytes.data();
  if (std::memcmp(h + header::kSignature, "CPER", 4) != 0 ||
      Get32(h + header::kSignatureEnd) != header::kSignatureEndValue)
    return Err(EPROTO);
  if (h[header::kRevision + 1] != 0x01) return Err(EPROTO);  // major revision 1, any minor
  if (Get32(h + header::kRecordLength) != bytes.size()) return Err(EINVAL);
  const uint32_t validation = Get32(h + header::kValidation);
  if ((validation & ~header::kValidMask) != 0) return Err(EINVAL);
  const uint8_t* reserved = h + header::kReserved;
  if (std::any_of(reserved, reserved + header::kReservedSize, [](uint8_t c) { return c != 0; }))
    return Err(EINVAL);
  const size_t n = Get16(h + header::kSectionCount);
  if (n > kMaxEvents) return Err(E2BIG);
  const size_t bodies = header::kSize + n * descriptor::kSize;
  if (bodies > bytes.size()) return Err(EINVAL);

  Snapshot s;
  if (validation & header::kValidTimestamp) {
    Result<uint64_t> t = GetTimestamp(h + header::kTimestamp);
    if (!t) return Errno{t.error()};
    s.timestamp_ns = *t;
  }

  std::vector<std::pair<size_t, size_t>> extents;
  extents.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* d = h + header::kSize + i * descriptor::kSize;
    if (GetGuid(d + descriptor::kSectionType) != kAccelEventSection) return Err(EPROTO);
    if (d[descriptor::kRevision + 1] != 0x01) return Err(EPROTO);
    if (d[descriptor::kReserved] != 0 || (d[descriptor::kValidation] & ~descriptor::kValidMask))
      return Err(EINVAL);
    extents.emplace_back(Get32(d + descriptor::kOffset), Get32(d + descriptor::kLength));
  }
  if (int rc = CheckExtents(extents, bodies, bytes.size()); rc < 0) return Errno{rc};

  std::vector<bool> named;
  s.events.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* d = h + header::kSize + i * descriptor::kSize;
    std::optional<std::string> fru_text;
    if (d[descriptor::kValidation] & descriptor::kValidFruText)
      fru_text = GetText(d + descriptor::kFruText, descriptor::kFruTextSize);
    else
      fru_text = std::string();
    if (!fru_text || (i > 0 && *fru_text != s.device.name)) return Err(EINVAL);
    s.device.name = std::move(*fru_text);

    Event& e = s.events[i];
    std::string component_name;
    int rc = GetBody(bytes.subspan(extents[i].first, extents[i].second), e, component_name);
    if (rc == 0 &&
        (e.severity >= kSeverityCount || Get32(d + descriptor::kSeverity) != ToCper(e.severity)))
      rc = -EINVAL;
    if (rc == 0) rc = AddComponent(e.component, std::move(component_name), named, s);
    if (rc < 0) return Errno{rc};
  }
  if (Get32(h + header::kSeverity) != WorstSeverity(s.events)) return Err(EINVAL);
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  return s;
}

// What a record keeps of s: the events whole; the snapshot's time to the second; and, when
// there are events (there is no section to hold them otherwise), the device name cut to 20
// bytes and the names of the components the events name, cut to 16, at their indices (the
// others unnamed). Health, counters, pages, events_dropped and the rest of the identity go.
Snapshot Project(const Snapshot& s) {
  Snapshot p;
  p.timestamp_ns = s.timestamp_ns - s.timestamp_ns % kNsPerSecond;
  p.events = s.events;
  if (s.events.empty()) return p;
  p.device.name = s.device.name.substr(0, descriptor::kFruTextSize);
  uint32_t last = 0;
  for (const Event& e : s.events) last = std::max(last, e.component);
  p.components.resize(static_cast<size_t>(last) + 1);
  for (const Event& e : s.events)
    if (e.component < s.components.size())
      p.components[e.component].name =
          s.components[e.component].name.substr(0, body::kComponentNameSize);
  return p;
}

}  // namespace

const Codec& CperCodec() {
  static const Codec codec = {ACCEL_RAS_FMT_CPER, "cper", kCarriesEvents, Encode, Decode, Project};
  return codec;
}

}  // namespace accel::ras
