// wire.h - frames of the acceld socket protocol (docs/wire-protocol.md), both ends.
//
// The daemon and libaccel share this file so that the layout exists once. Parsing never
// trusts a length: ParseFrame checks every field against the bytes actually received.
//
//   std::vector<uint8_t> f = wire::BuildFrame(wire::Op::kOpen, seq, 0, 0, "accel0");
//   Result<wire::FrameView> v = wire::ParseFrame(buf, n, truncated);
#ifndef ACCEL_WIRE_WIRE_H_
#define ACCEL_WIRE_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <accel/result.h>

namespace accel::wire {

// Where a FUSE node file keeps the copy-out segments of its last ioctl
// (transport/fuse/staging_memory.h): pread() at this offset returns them as wire segments,
// which libaccel applies (lib/libaccel/node_file.cc). Far above any real file data.
inline constexpr uint64_t kStagedSegmentOffset = uint64_t{1} << 62;

inline constexpr uint32_t kMagic = 0x50574341;  // "ACWP" in little-endian bytes
// Version 2 added descriptors with IOCTL replies, CLIENTS, and the monitor's wedged and
// recovered actions; version 3 added COPY_IN, the daemon reading the caller's memory during
// an IOCTL (copy_from_user). An older peer gets none of them (docs/wire-protocol.md).
inline constexpr uint16_t kVersion = 3;
inline constexpr uint16_t kMinVersion = 1;
inline constexpr uint16_t kFdVersion = 2;      // first version with the version-2 features
inline constexpr uint16_t kCopyInVersion = 3;  // first version with COPY_IN
inline constexpr size_t kMaxFrame = 65536;
inline constexpr uint16_t kReplyBit = 0x8000;
inline constexpr uint32_t kUnloadForce = 1u << 0;
inline constexpr size_t kMaxDeviceName = 31;

enum class Op : uint16_t {
  kHello = 1,
  kOpen = 2,
  kIoctl = 3,
  kList = 4,
  kLoad = 5,
  kUnload = 6,
  kDrivers = 7,
  kMonitor = 8,
  kClients = 9,  // since version 2
  // Daemon to client, only between an IOCTL request and its reply, with the IOCTL's seq:
  // "send me `len` bytes of your memory at `addr`". The client answers with a COPY_IN reply of
  // the same seq: status 0 and exactly `len` bytes, or a negative errno (-EFAULT) and none.
  kCopyIn = 10,  // since version 3
};

struct Header {
  uint32_t magic;
  uint16_t version;
  uint16_t op;
  uint32_t seq;
  int32_t status;
  uint32_t arg;
  uint32_t length;
};
static_assert(sizeof(Header) == 24);
inline constexpr size_t kMaxPayload = kMaxFrame - sizeof(Header);

struct HelloRequest {
  uint16_t min_version;
  uint16_t max_version;
};
struct HelloReply {
  uint16_t version;
  uint16_t pad;
  uint32_t max_frame;
};
struct OpenReply {
  uint32_t minor;
  uint32_t pad;
  uint64_t client_id;
};
struct ListHeader {
  uint32_t count;
  uint32_t pad;
};
struct DeviceRecord {
  uint32_t minor, mode, uid, gid, vendor_id, device_id, open_count, pad;
  uint64_t ras_formats;
  char name[16];
  char driver[32];
  char serial[48];
  char bus[56];
};
static_assert(sizeof(DeviceRecord) == 192);
// One event of the monitor stream (op kMonitor | kReplyBit, seq 0).
enum MonitorAction : uint32_t {
  kMonitorAdd = 1,
  kMonitorRemove = 2,
  kMonitorChange = 3,     // a RAS event
  kMonitorWedged = 4,     // since version 2
  kMonitorRecovered = 5,  // since version 2
};
struct MonitorRecord {
  uint32_t action;  // MonitorAction
  uint32_t minor;
  uint64_t seqno;
  uint64_t timestamp_ns;
  char name[16];
  char driver[32];
};
static_assert(sizeof(MonitorRecord) == 72);
// COPY_IN request payload. len is at most kMaxCopyIn: a longer copy_from_user takes several.
struct CopyInRequest {
  uint64_t addr;
  uint32_t len;
  uint32_t pad;
};
static_assert(sizeof(CopyInRequest) == 16);
inline constexpr uint32_t kMaxCopyIn = 32768;
struct SegmentHeader {
  uint64_t addr;
  uint32_t len;
  uint32_t pad;
};
static_assert(sizeof(SegmentHeader) == 16);
// The segment that says where descriptors passed with an IOCTL reply (SCM_RIGHTS) go: its
// bytes are one u32 struct offset per descriptor, in the order the descriptors arrived. It is
// the reply's last segment; no real copy-out can name this address.
inline constexpr uint64_t kFdSegmentAddr = UINT64_MAX;
inline constexpr size_t kMaxReplyFds = 8;
// CLIENTS reply: this header, then `count` fdinfo blocks, each ending with an empty line.
// A request's `arg` is the index of the first block wanted; the reply holds as many whole
// blocks as fit in a frame, and `total` says how many there are.
struct ClientsReplyHeader {
  uint32_t count;
  uint32_t total;
};

// A parsed frame: the header and a view of its payload inside the receive buffer.
struct FrameView {
  Header header;
  std::span<const uint8_t> payload;
};

// `received` bytes arrived in `buf`; `truncated` is true when recv() reported MSG_TRUNC
// (the frame was longer than the buffer). -EMSGSIZE for oversize, -EBADMSG for malformed.
Result<FrameView> ParseFrame(const uint8_t* buf, size_t received, bool truncated);

// The header of a frame that ParseFrame refused, when enough of it arrived to echo seq.
uint32_t SeqOf(const uint8_t* buf, size_t received);

// `version` is the connection's negotiated one (HELLO itself goes out as kVersion).
Header MakeHeader(Op op, uint32_t seq, int32_t status, uint32_t arg, uint32_t length, bool reply,
                  uint16_t version = kVersion);
std::vector<uint8_t> BuildFrame(Op op, uint32_t seq, int32_t status, uint32_t arg,
                                std::span<const uint8_t> payload, bool reply = false,
                                uint16_t version = kVersion);
inline std::vector<uint8_t> BuildFrame(Op op, uint32_t seq, int32_t status, uint32_t arg,
                                       std::string_view payload, bool reply = false,
                                       uint16_t version = kVersion) {
  return BuildFrame(op, seq, status, arg,
                    std::span(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()),
                    reply, version);
}

// Copy-out segments after an IOCTL reply's struct: appends one segment to `out`.
void AppendSegment(std::vector<uint8_t>& out, uint64_t addr, const void* src, uint32_t len);
// Walks the segments in `bytes`; calls fn(addr, data, len) for each. -EBADMSG if malformed.
template <typename Fn>
Result<void> ForEachSegment(std::span<const uint8_t> bytes, Fn&& fn);

// Copies a NUL-terminated string into a fixed field.
void CopyField(char* dst, size_t cap, std::string_view src);
// A fixed field back to a string (stops at NUL or at the field's end).
std::string FieldString(const char* src, size_t cap);

}  // namespace accel::wire

#include "wire/wire_inl.h"

#endif  // ACCEL_WIRE_WIRE_H_
