// fw_protocol.h - the messages vnpu's driver and its firmware (vnpu-fw) exchange over rpmsg.
//
// DOC: the link
//
// The firmware is its own process. It shares one memory region (a memfd) with the driver,
// laid out as two virtio split virtqueues (virtqueue.h), and two eventfds: `kick` (driver ->
// firmware: buffers were made available) and `call` (firmware -> driver: buffers were used).
// As in Linux's virtio_rpmsg_bus, the driver is the virtio driver and owns every buffer:
//   vq 0 (rx):  the driver posts empty buffers, the firmware fills them (firmware -> driver)
//   vq 1 (tx):  the driver posts full buffers, the firmware consumes them (driver -> firmware)
// Descriptor addresses are byte offsets into the shared region, never pointers: each process
// maps the region wherever it likes.
//
// Every buffer holds one rpmsg message: the 16-byte header of rpmsg_hdr (src u32, dst u32,
// reserved u32, len u16, flags u16, little-endian) and `len` payload bytes. At start the
// firmware announces its endpoint to the name service (dst 53, RPMSG_NS_ADDR) with
// rpmsg_ns_msg {char name[32]; u32 addr; u32 flags = RPMSG_NS_CREATE}, name "vnpu-ctrl", as
// OpenAMP firmware does. The driver then sends its first message (RAS_REQUEST) from its own
// endpoint; the firmware answers HELLO to that source address and from then on sends
// heartbeats and RAS blobs there.
//
// Payloads below begin with a u32 type. Fixed-width, little-endian (both ends run on one
// host), no padding holes. Each message is exactly the size of its struct (a RAS blob: its
// header and at least one byte); a receiver refuses any other size, unknown types and
// out-of-range fields (fw_messages.h). The firmware takes the driver's address from the first
// valid message sent to kFirmwareAddr and drops messages from any other source after that.
// While the driver leaves its answers queued, the firmware stops taking messages from vq 1, so
// the driver's sends meet a full ring (-ENOBUFS) rather than answers being dropped.
#ifndef ACCEL_DRIVERS_VNPU_FWLINK_FW_PROTOCOL_H_
#define ACCEL_DRIVERS_VNPU_FWLINK_FW_PROTOCOL_H_

#include <cstdint>

namespace accel::vnpu::fw {

inline constexpr uint32_t kNsAddr = 53;           // RPMSG_NS_ADDR
inline constexpr uint32_t kNsCreate = 0;          // RPMSG_NS_CREATE
inline constexpr uint32_t kFirmwareAddr = 0x400;  // the firmware's "vnpu-ctrl" endpoint
inline constexpr uint32_t kDriverAddr = 0x401;    // the driver's endpoint
inline constexpr char kServiceName[] = "vnpu-ctrl";
inline constexpr uint32_t kBufferSize = 4096;  // per rpmsg buffer, header included
inline constexpr uint32_t kMaxPayload = kBufferSize - 16;

struct RpmsgHeader {  // struct rpmsg_hdr
  uint32_t src;
  uint32_t dst;
  uint32_t reserved;
  uint16_t len;
  uint16_t flags;
};
static_assert(sizeof(RpmsgHeader) == 16);

struct RpmsgNsMessage {  // struct rpmsg_ns_msg
  char name[32];
  uint32_t addr;
  uint32_t flags;
};
static_assert(sizeof(RpmsgNsMessage) == 40);

enum MessageType : uint32_t {
  kHello = 1,          // fw -> driver, answer to the first message
  kHeartbeat = 2,      // fw -> driver, every heartbeat_ms
  kRasBlob = 3,        // fw -> driver, its RAS state in CBOR, answering FAULT and RAS_REQUEST
  kFault = 4,          // driver -> fw, a hardware error the firmware must account
  kRasRequest = 5,     // driver -> fw, send a RAS blob now (also the driver's first message)
  kShutdown = 6,       // driver -> fw, exit(0)
  kStopHeartbeat = 7,  // driver -> fw, fault injection: stop the heartbeats (a hang); other
                       // messages are still served, so SHUTDOWN still works
  kProbeSandbox = 8,   // driver -> fw, fault injection: a compromised firmware makes a system
                       // call its sandbox forbids (socket(2)); the filter kills it (SIGSYS)
};

struct Hello {
  uint32_t type;  // kHello
  uint16_t major, minor, patch, pad;
  uint32_t heartbeat_ms;
  uint32_t pid;
};
static_assert(sizeof(Hello) == 20);

struct Heartbeat {
  uint32_t type;  // kHeartbeat
  uint32_t seq;   // from 1, +1 each beat
  uint64_t uptime_ns;
};
static_assert(sizeof(Heartbeat) == 16);

// Followed by the blob: a deterministic CBOR encoding of the firmware's ras::Snapshot
// (src/ras/codecs/cbor), counters absolute since the firmware booted and its recent events
// (at most kMaxFirmwareEvents, with addresses), to fill the rest of the payload.
struct RasBlobHeader {
  uint32_t type;    // kRasBlob
  uint32_t format;  // ACCEL_RAS_FMT_CBOR
};
static_assert(sizeof(RasBlobHeader) == 8);
inline constexpr uint32_t kMaxFirmwareEvents = 16;

inline constexpr uint32_t kFaultHasAddress = 1u << 0;
struct Fault {
  uint32_t type;       // kFault
  uint32_t component;  // VNPU_COMPONENT_*
  uint32_t severity;   // ACCEL_RAS_SEV_*
  uint32_t count;      // >= 1
  uint32_t code;       // the driver's error code, kept in the event
  uint32_t flags;      // kFault*
  uint64_t address;
  char message[64];  // NUL-terminated
};
static_assert(sizeof(Fault) == 96);

struct Simple {  // kRasRequest, kShutdown, kStopHeartbeat, kProbeSandbox: the type alone
  uint32_t type;
};

}  // namespace accel::vnpu::fw

#endif  // ACCEL_DRIVERS_VNPU_FWLINK_FW_PROTOCOL_H_
