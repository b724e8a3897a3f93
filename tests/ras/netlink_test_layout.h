// netlink_test_layout.h - docs/ras/netlink.md's layout, restated for the NETLINK tests.
//
// The tests take the family's numbers and accel's node list from here, not from the codec,
// so that a change to either side that the document does not follow shows up as a failure.
#ifndef ACCEL_TESTS_RAS_NETLINK_TEST_LAYOUT_H_
#define ACCEL_TESTS_RAS_NETLINK_TEST_LAYOUT_H_

#include <uapi/accel/accel.h>

#include <cstdint>
#include <vector>

namespace accel::ras::netlink_test {

inline constexpr uint16_t kFamilyType = 0x10;  // NLMSG_MIN_TYPE
inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kListNodes = 1;
inline constexpr uint8_t kGetErrorCounter = 2;
inline constexpr uint16_t kNodeId = 1, kDeviceName = 2, kNodeName = 3, kNodeType = 4;
inline constexpr uint16_t kErrNodeId = 1, kErrorId = 2, kErrorName = 3, kErrorValue = 4;

// One node of a blob, in blob order: it counts the sum of its severities.
struct DocNode {
  const char* name;
  bool aggregate;
  std::vector<uint32_t> severities;
};

inline const std::vector<DocNode> kDocNodes = {
    {"correctable-errors", false, {ACCEL_RAS_SEV_CORRECTED}},
    {"uncorrectable-errors",
     false,
     {ACCEL_RAS_SEV_DEFERRED, ACCEL_RAS_SEV_UNCORRECTED, ACCEL_RAS_SEV_FATAL}},
    {"deferred-errors", false, {ACCEL_RAS_SEV_DEFERRED}},
    {"uncorrected-errors", false, {ACCEL_RAS_SEV_UNCORRECTED}},
    {"fatal-errors", false, {ACCEL_RAS_SEV_FATAL}},
    {"informational-errors", false, {ACCEL_RAS_SEV_INFORMATIONAL}},
    {"aggregate-correctable-errors", true, {ACCEL_RAS_SEV_CORRECTED}},
    {"aggregate-deferred-errors", true, {ACCEL_RAS_SEV_DEFERRED}},
    {"aggregate-uncorrected-errors", true, {ACCEL_RAS_SEV_UNCORRECTED}},
    {"aggregate-fatal-errors", true, {ACCEL_RAS_SEV_FATAL}},
    {"aggregate-informational-errors", true, {ACCEL_RAS_SEV_INFORMATIONAL}},
};

}  // namespace accel::ras::netlink_test

#endif  // ACCEL_TESTS_RAS_NETLINK_TEST_LAYOUT_H_
