// netlink_codec.cc - see netlink_codec.h; the layout is in docs/ras/netlink.md.
//
// The encoder sizes the whole blob first, then lays each message down with libmnl's
// mnl_nlmsg_put_header / mnl_attr_put_* into one zeroed buffer. The decoder copies its input
// into 4-byte aligned storage (nlmsghdr and nlattr are read in place), walks the messages with
// mnl_nlmsg_ok/next and each message's attributes with mnl_attr_ok/next, and refuses anything
// that does not end exactly where its enclosing length says.
#include "ras/codecs/netlink/netlink_codec.h"

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <uapi/accel/accel.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

namespace accel::ras {
namespace {

// ---- The drm-ras family, as upstream's drm_ras.yaml defines it ----------------------------

constexpr uint8_t kFamilyVersion = 1;
constexpr uint8_t kCmdListNodes = 1;
constexpr uint8_t kCmdGetErrorCounter = 2;

// node-attrs
constexpr uint16_t kNodeAttrNodeId = 1;
constexpr uint16_t kNodeAttrDeviceName = 2;
constexpr uint16_t kNodeAttrNodeName = 3;
constexpr uint16_t kNodeAttrNodeType = 4;
// error-counter-attrs
constexpr uint16_t kCounterAttrNodeId = 1;
constexpr uint16_t kCounterAttrErrorId = 2;
constexpr uint16_t kCounterAttrErrorName = 3;
constexpr uint16_t kCounterAttrErrorValue = 4;
constexpr uint16_t kMaxAttr = 4;

constexpr uint32_t kNodeTypeErrorCounter = 1;
// A blob has no family id resolved through nlctrl; it says NLMSG_MIN_TYPE instead.
constexpr uint16_t kBlobFamilyId = NLMSG_MIN_TYPE;

// ---- accel's nodes ------------------------------------------------------------------------

constexpr uint32_t Bit(Severity s) {
  return 1u << static_cast<uint32_t>(s);
}

// One node of a blob. A node counts the sum of the severities in its mask; nodes with one
// severity are the decoder's source, `uncorrectable-errors` (three) is there for readers that
// know only xe's two nodes and is checked against the others.
struct NodeSpec {
  const char* name;
  bool aggregate;  // counts Counter::aggregate_count instead of volatile_count
  uint32_t severities;
};

// In blob order; a node's index here is its node-id.
constexpr std::array<NodeSpec, 11> kNodes = {{
    {"correctable-errors", false, Bit(Severity::kCorrected)},
    {"uncorrectable-errors", false,
     Bit(Severity::kDeferred) | Bit(Severity::kUncorrected) | Bit(Severity::kFatal)},
    {"deferred-errors", false, Bit(Severity::kDeferred)},
    {"uncorrected-errors", false, Bit(Severity::kUncorrected)},
    {"fatal-errors", false, Bit(Severity::kFatal)},
    {"informational-errors", false, Bit(Severity::kInformational)},
    {"aggregate-correctable-errors", true, Bit(Severity::kCorrected)},
    {"aggregate-deferred-errors", true, Bit(Severity::kDeferred)},
    {"aggregate-uncorrected-errors", true, Bit(Severity::kUncorrected)},
    {"aggregate-fatal-errors", true, Bit(Severity::kFatal)},
    {"aggregate-informational-errors", true, Bit(Severity::kInformational)},
}};

// Nodes a decoder keeps track of, ours and unknown ones (whose counters it skips).
constexpr size_t kMaxNodesInBlob = 64;

uint32_t Saturate(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v);
}

bool IsSingleSeverity(uint32_t mask) {
  return (mask & (mask - 1)) == 0;
}

uint32_t SeverityOf(uint32_t single_mask) {
  return static_cast<uint32_t>(__builtin_ctz(single_mask));
}

// What travels as device-name, and where a decoder puts it: a bus address ("0000:03:00.0",
// "platform:dummy.3") always has a colon, accel's device names ("accel3") never do.
std::string DeviceNameOf(const DeviceIdentity& d) {
  return d.bus.empty() ? d.name : d.bus;
}

DeviceIdentity IdentityFromDeviceName(std::string_view device_name) {
  DeviceIdentity d;
  if (device_name.find(':') != std::string_view::npos)
    d.bus = device_name;
  else
    d.name = device_name;
  return d;
}

// Per component, per severity: (volatile, aggregate).
using CounterGrid = std::vector<std::array<std::pair<uint64_t, uint64_t>, kSeverityCount>>;

uint64_t NodeValue(const NodeSpec& node,
                   const std::array<std::pair<uint64_t, uint64_t>, kSeverityCount>& row) {
  uint64_t sum = 0;
  for (uint32_t sev = 0; sev < kSeverityCount; ++sev) {
    if ((node.severities & (1u << sev)) == 0) continue;
    const uint64_t v = node.aggregate ? row[sev].second : row[sev].first;
    sum = v > UINT64_MAX - sum ? UINT64_MAX : sum + v;
  }
  return sum;
}

// ---- Encoding -----------------------------------------------------------------------------

constexpr size_t kGenlHeaderLen = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));

constexpr size_t AttrLen(size_t payload) {
  return MNL_ATTR_HDRLEN + MNL_ALIGN(payload);
}

size_t NodeMessageLen(const std::string& device_name, const NodeSpec& node) {
  return kGenlHeaderLen + AttrLen(sizeof(uint32_t)) + AttrLen(device_name.size() + 1) +
         AttrLen(std::strlen(node.name) + 1) + AttrLen(sizeof(uint32_t));
}

size_t CounterMessageLen(const std::string& error_name) {
  return kGenlHeaderLen + 3 * AttrLen(sizeof(uint32_t)) + AttrLen(error_name.size() + 1);
}

constexpr size_t kDoneMessageLen = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(int));

bool NameFits(const std::string& s) {
  return s.size() <= kMaxNameLen && s.find('\0') == std::string::npos;
}

struct nlmsghdr* PutGenlHeader(uint8_t* at, uint8_t cmd) {
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(at);
  nlh->nlmsg_type = kBlobFamilyId;
  nlh->nlmsg_flags = NLM_F_MULTI;  // a dump's replies; seq and pid stay 0 (no request)
  auto* genl =
      static_cast<struct genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr)));
  genl->cmd = cmd;
  genl->version = kFamilyVersion;
  return nlh;
}

Result<CounterGrid> GridOf(const Snapshot& s) {
  CounterGrid grid(s.components.size());
  std::vector<std::array<bool, kSeverityCount>> seen(s.components.size());
  for (const Counter& c : s.counters) {
    if (c.component >= grid.size() || c.severity >= kSeverityCount) return Err(EINVAL);
    if (seen[c.component][c.severity]) return Err(EINVAL);
    seen[c.component][c.severity] = true;
    grid[c.component][c.severity] = {c.volatile_count, c.aggregate_count};
  }
  return grid;
}

Result<std::vector<uint8_t>> Encode(const Snapshot& s) {
  if (s.components.size() > kMaxComponents) return Err(E2BIG);
  const std::string device_name = DeviceNameOf(s.device);
  if (!NameFits(device_name)) return Err(EINVAL);
  for (const Component& c : s.components)
    if (!NameFits(c.name)) return Err(EINVAL);
  Result<CounterGrid> grid = GridOf(s);
  if (!grid) return Errno{grid.error()};

  size_t total = kDoneMessageLen;
  size_t counter_messages = 0;
  for (const Component& c : s.components) counter_messages += CounterMessageLen(c.name);
  for (const NodeSpec& node : kNodes) total += NodeMessageLen(device_name, node) + counter_messages;
  if (total > kMaxEncodedSize) return Err(E2BIG);

  std::vector<uint8_t> out(total);
  uint8_t* at = out.data();
  for (uint32_t id = 0; id < kNodes.size(); ++id) {
    struct nlmsghdr* nlh = PutGenlHeader(at, kCmdListNodes);
    mnl_attr_put_u32(nlh, kNodeAttrNodeId, id);
    mnl_attr_put_strz(nlh, kNodeAttrDeviceName, device_name.c_str());
    mnl_attr_put_strz(nlh, kNodeAttrNodeName, kNodes[id].name);
    mnl_attr_put_u32(nlh, kNodeAttrNodeType, kNodeTypeErrorCounter);
    at += nlh->nlmsg_len;
  }
  for (uint32_t id = 0; id < kNodes.size(); ++id) {
    for (uint32_t c = 0; c < s.components.size(); ++c) {
      struct nlmsghdr* nlh = PutGenlHeader(at, kCmdGetErrorCounter);
      mnl_attr_put_u32(nlh, kCounterAttrNodeId, id);
      mnl_attr_put_u32(nlh, kCounterAttrErrorId, c);
      mnl_attr_put_strz(nlh, kCounterAttrErrorName, s.components[c].name.c_str());
      mnl_attr_put_u32(nlh, kCounterAttrErrorValue, Saturate(NodeValue(kNodes[id], (*grid)[c])));
      at += nlh->nlmsg_len;
    }
  }
  struct nlmsghdr* done = mnl_nlmsg_put_header(at);
  done->nlmsg_type = NLMSG_DONE;
  done->nlmsg_flags = NLM_F_MULTI;
  mnl_nlmsg_put_extra_header(done, sizeof(int));  // the dump's status: 0
  at += done->nlmsg_len;
  assert(at == out.data() + out.size());  // the sizing above matches what libmnl wrote
  return out;
}

// ---- Decoding -----------------------------------------------------------------------------

// A message's attributes by type (1..kMaxAttr); nullptr where absent.
using AttrTable = std::array<const struct nlattr*, kMaxAttr + 1>;

// Walks a generic netlink message's attributes. Every attribute must lie inside the message
// and the last must end at its (aligned) end; a known type may appear once, without flags;
// unknown types (0 included) are skipped, as netlink readers do.
Result<AttrTable> ParseAttrs(const struct nlmsghdr* nlh) {
  AttrTable table{};
  auto* attr = static_cast<const struct nlattr*>(
      mnl_nlmsg_get_payload_offset(nlh, MNL_ALIGN(sizeof(struct genlmsghdr))));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (;;) {
    // Both ends are 4-byte aligned and every step is an aligned nla_len no larger than what
    // is left, so `left` never goes negative.
    const ptrdiff_t left = tail - reinterpret_cast<const char*>(attr);
    if (left == 0) break;
    if (!mnl_attr_ok(attr, static_cast<int>(left))) return Err(EINVAL);
    const uint16_t type = mnl_attr_get_type(attr);  // without NLA_F_NESTED, NLA_F_NET_BYTEORDER
    if (type >= 1 && type <= kMaxAttr) {
      // Ours are flat and in host order: a flag would change what the bytes mean.
      if (type != attr->nla_type || table[type] != nullptr) return Err(EINVAL);
      table[type] = attr;
    }
    attr = mnl_attr_next(attr);
  }
  return table;
}

Result<uint32_t> U32Attr(const struct nlattr* attr) {
  if (attr == nullptr || mnl_attr_get_payload_len(attr) != sizeof(uint32_t)) return Err(EINVAL);
  return mnl_attr_get_u32(attr);
}

// A NUL-terminated string attribute with no NUL before the end, at most kMaxNameLen long.
Result<std::string_view> StringAttr(const struct nlattr* attr) {
  if (attr == nullptr) return Err(EINVAL);
  const uint16_t len = mnl_attr_get_payload_len(attr);
  const auto* s = static_cast<const char*>(mnl_attr_get_payload(attr));
  if (len == 0 || s[len - 1] != '\0' || strnlen(s, len) != len - 1u) return Err(EINVAL);
  if (len - 1u > kMaxNameLen) return Err(E2BIG);
  return std::string_view(s, len - 1u);
}

struct DeclaredNode {
  uint32_t id;
  int spec;  // index into kNodes, -1 for a node accel does not define
};

struct CounterReading {
  uint32_t component;  // error-id
  uint32_t spec;       // index into kNodes
  uint32_t value;
  std::string_view name;  // into the decoder's copy of the input
};

// What the message walk gathers, resolved into a Snapshot at the end.
struct BlobReader {
  std::optional<std::string_view> device_name;
  std::vector<DeclaredNode> nodes;
  std::vector<CounterReading> readings;

  Result<void> ListNodes(const AttrTable& a);
  Result<void> ErrorCounter(const AttrTable& a);
  Result<Snapshot> Resolve();
};

Result<void> BlobReader::ListNodes(const AttrTable& a) {
  Result<uint32_t> id = U32Attr(a[kNodeAttrNodeId]);
  Result<uint32_t> type = U32Attr(a[kNodeAttrNodeType]);
  Result<std::string_view> device = StringAttr(a[kNodeAttrDeviceName]);
  Result<std::string_view> name = StringAttr(a[kNodeAttrNodeName]);
  if (!id) return Errno{id.error()};
  if (!type) return Errno{type.error()};
  if (!device) return Errno{device.error()};
  if (!name) return Errno{name.error()};
  if (*type != kNodeTypeErrorCounter) return Err(EPROTO);
  // One blob, one device.
  if (device_name.has_value() && *device_name != *device) return Err(EINVAL);
  device_name = *device;

  int spec = -1;
  for (size_t i = 0; i < kNodes.size(); ++i)
    if (*name == kNodes[i].name) spec = static_cast<int>(i);
  for (const DeclaredNode& n : nodes) {
    if (n.id == *id) return Err(EINVAL);
    if (spec >= 0 && n.spec == spec) return Err(EINVAL);
  }
  if (nodes.size() == kMaxNodesInBlob) return Err(E2BIG);
  nodes.push_back({*id, spec});
  return {};
}

Result<void> BlobReader::ErrorCounter(const AttrTable& a) {
  Result<uint32_t> node_id = U32Attr(a[kCounterAttrNodeId]);
  Result<uint32_t> error_id = U32Attr(a[kCounterAttrErrorId]);
  Result<uint32_t> value = U32Attr(a[kCounterAttrErrorValue]);
  Result<std::string_view> name = StringAttr(a[kCounterAttrErrorName]);
  if (!node_id) return Errno{node_id.error()};
  if (!error_id) return Errno{error_id.error()};
  if (!value) return Errno{value.error()};
  if (!name) return Errno{name.error()};

  // A counter names a node listed before it, as a reader that lists nodes first would see.
  const auto node = std::find_if(nodes.begin(), nodes.end(),
                                 [&](const DeclaredNode& n) { return n.id == *node_id; });
  if (node == nodes.end()) return Err(EINVAL);
  if (node->spec < 0) return {};  // someone else's node
  if (*error_id >= kMaxComponents) return Err(E2BIG);
  // Past this many, some (node, component) repeats: refuse before storing more.
  if (readings.size() == kNodes.size() * kMaxComponents) return Err(EINVAL);
  readings.push_back({*error_id, static_cast<uint32_t>(node->spec), *value, *name});
  return {};
}

Result<Snapshot> BlobReader::Resolve() {
  std::sort(readings.begin(), readings.end(), [](const auto& x, const auto& y) {
    return x.component != y.component ? x.component < y.component : x.spec < y.spec;
  });
  Snapshot s;
  if (device_name.has_value()) s.device = IdentityFromDeviceName(*device_name);
  const uint32_t components = readings.empty() ? 0 : readings.back().component + 1;
  s.components.resize(components);
  s.counters.resize(size_t{components} * kSeverityCount);
  for (uint32_t c = 0; c < components; ++c)
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev)
      s.counters[c * kSeverityCount + sev] = Counter{.component = c, .severity = sev};

  // First the single-severity nodes, which set counters and names...
  std::vector<bool> named(components, false);
  for (size_t i = 0; i < readings.size(); ++i) {
    const CounterReading& r = readings[i];
    if (i > 0 && readings[i - 1].component == r.component && readings[i - 1].spec == r.spec)
      return Err(EINVAL);  // the same (node, component) twice
    if (!named[r.component]) {
      s.components[r.component].name = r.name;
      named[r.component] = true;
    } else if (s.components[r.component].name != r.name) {
      return Err(EINVAL);  // one error-id, two names
    }
    const NodeSpec& node = kNodes[r.spec];
    if (!IsSingleSeverity(node.severities)) continue;
    Counter& counter = s.counters[r.component * kSeverityCount + SeverityOf(node.severities)];
    (node.aggregate ? counter.aggregate_count : counter.volatile_count) = r.value;
  }
  // A component no node mentions has no name, and indices cannot skip it.
  if (std::find(named.begin(), named.end(), false) != named.end()) return Err(EINVAL);

  // ...then the summed nodes, which must agree with them.
  for (const CounterReading& r : readings) {
    const NodeSpec& node = kNodes[r.spec];
    if (IsSingleSeverity(node.severities)) continue;
    std::array<std::pair<uint64_t, uint64_t>, kSeverityCount> row{};
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev) {
      const Counter& counter = s.counters[r.component * kSeverityCount + sev];
      row[sev] = {counter.volatile_count, counter.aggregate_count};
    }
    if (Saturate(NodeValue(node, row)) != r.value) return Err(EINVAL);
  }
  if (const int rc = Validate(s); rc < 0) return Errno{rc};
  return s;
}

// One message of the stream. Sets *done at NLMSG_DONE.
Result<void> ReadMessage(const struct nlmsghdr* nlh, BlobReader& reader, bool* done) {
  if (nlh->nlmsg_type == NLMSG_DONE) {
    // The kernel appends the dump's status as an int; anything but 0 is a failed dump.
    if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int) &&
        *static_cast<const int*>(mnl_nlmsg_get_payload(nlh)) != 0)
      return Err(EPROTO);
    *done = true;
    return {};
  }
  if (nlh->nlmsg_type != kBlobFamilyId) return Err(EPROTO);
  if (nlh->nlmsg_len < kGenlHeaderLen) return Err(EINVAL);
  const auto* genl = static_cast<const struct genlmsghdr*>(mnl_nlmsg_get_payload(nlh));
  if (genl->version != kFamilyVersion) return Err(EPROTO);
  Result<AttrTable> attrs = ParseAttrs(nlh);
  if (!attrs) return Errno{attrs.error()};
  switch (genl->cmd) {
    case kCmdListNodes:
      return reader.ListNodes(*attrs);
    case kCmdGetErrorCounter:
      return reader.ErrorCounter(*attrs);
    default:
      return Err(EPROTO);
  }
}

Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  // Headers and attributes are read in place: give them the alignment they were built with.
  std::vector<uint32_t> aligned((bytes.size() + 3) / 4);
  if (!bytes.empty()) std::memcpy(aligned.data(), bytes.data(), bytes.size());

  BlobReader reader;
  bool done = false;
  int left = static_cast<int>(bytes.size());
  auto* nlh = reinterpret_cast<const struct nlmsghdr*>(aligned.data());
  while (left > 0) {
    if (done) return Err(EINVAL);  // bytes after NLMSG_DONE
    // mnl_nlmsg_ok compares nlmsg_len with what is left as an int, so a length of 2^31 or
    // more passes it (and MNL_ALIGN wraps near 2^32): compare unsigned as well. The aligned
    // length must fit too, since the attribute walk and mnl_nlmsg_next step by it.
    if (!mnl_nlmsg_ok(nlh, left)) return Err(EINVAL);
    const uint32_t len = nlh->nlmsg_len;
    if (len > static_cast<uint32_t>(left) || MNL_ALIGN(len) > static_cast<uint32_t>(left))
      return Err(EINVAL);
    if (Result<void> r = ReadMessage(nlh, reader, &done); !r) return Errno{r.error()};
    nlh = mnl_nlmsg_next(nlh, &left);
  }
  if (!done) return Err(EINVAL);  // truncated: a dump always ends with NLMSG_DONE
  return reader.Resolve();
}

// ---- Projection ---------------------------------------------------------------------------

Snapshot Project(const Snapshot& s) {
  Snapshot p;
  p.device = IdentityFromDeviceName(DeviceNameOf(s.device));
  const size_t components = std::min<size_t>(s.components.size(), kMaxComponents);
  p.components.resize(components);
  CounterGrid grid(components);
  for (size_t c = 0; c < components; ++c) p.components[c].name = s.components[c].name;
  for (const Counter& c : s.counters)
    if (c.component < components && c.severity < kSeverityCount)
      grid[c.component][c.severity] = {c.volatile_count, c.aggregate_count};
  p.counters.reserve(components * kSeverityCount);
  for (uint32_t c = 0; c < components; ++c)
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev)
      p.counters.push_back(Counter{.component = c,
                                   .severity = sev,
                                   .volatile_count = Saturate(grid[c][sev].first),
                                   .aggregate_count = Saturate(grid[c][sev].second)});
  return p;
}

}  // namespace

const Codec& NetlinkCodec() {
  static const Codec codec = {
      .format = ACCEL_RAS_FMT_NETLINK,
      .name = "netlink",
      .carries = kCarriesComponents | kCarriesCounters,
      .encode = Encode,
      .decode = Decode,
      .project = Project,
  };
  return codec;
}

}  // namespace accel::ras
