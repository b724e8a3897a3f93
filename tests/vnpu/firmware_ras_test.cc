// firmware_ras_test.cc - vnpu-fw's RAS state and the CBOR blob it sends.
#include "drivers/vnpu/firmware/firmware_ras.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ras/codecs/cbor/cbor_codec.h"

namespace accel::vnpu::firmware {
namespace {

fwlink::CheckedFault MakeFault(uint32_t component, uint32_t severity, uint32_t count,
                               const char* message, bool with_address = false,
                               uint64_t address = 0) {
  fw::Fault f{};
  f.type = fw::kFault;
  f.component = component;
  f.severity = severity;
  f.count = count;
  f.code = 0x100 + severity;
  f.flags = with_address ? fw::kFaultHasAddress : 0;
  f.address = address;
  std::strncpy(f.message, message, sizeof(f.message) - 1);
  // Out-of-range faults never reach Apply: CheckFault refuses them (fw_messages_test.cc).
  Result<fwlink::CheckedFault> checked = fwlink::CheckFault(f);
  if (!checked) {
    ADD_FAILURE() << "a test fault out of range: " << component << "/" << severity;
    std::abort();
  }
  return *checked;
}

TEST(FirmwareRas, FreshStateListsEveryComponentAndCounter) {
  FirmwareRas ras("VNPU-0001");
  const ras::Snapshot s = ras.TakeSnapshot(42);
  EXPECT_EQ(ras::Validate(s), 0);
  EXPECT_EQ(s.device.driver, "vnpu");
  EXPECT_EQ(s.device.serial, "VNPU-0001");
  EXPECT_EQ(s.timestamp_ns, 42u);
  ASSERT_EQ(s.components.size(), 5u);
  const char* names[] = {"hbm0", "sram", "pcie", "fw", "compute"};
  for (uint32_t c = 0; c < 5; ++c) {
    EXPECT_EQ(s.components[c].name, names[c]);
    EXPECT_EQ(s.components[c].health, ras::Health::kOk);
  }
  EXPECT_EQ(s.components[VNPU_COMPONENT_COMPUTE].name, "compute");
  ASSERT_EQ(s.counters.size(), 25u);
  for (const ras::Counter& c : s.counters) EXPECT_EQ(c.volatile_count, 0u);
  EXPECT_TRUE(s.events.empty());
}

TEST(FirmwareRas, FaultCountsAndLogsAnEventWithItsAddress) {
  FirmwareRas ras("S");
  ras.Apply(MakeFault(VNPU_COMPONENT_HBM0, ACCEL_RAS_SEV_CORRECTED, 3, "ecc", true, 0xdead000),
            1000);
  ras.Apply(MakeFault(VNPU_COMPONENT_PCIE, ACCEL_RAS_SEV_DEFERRED, 1, "aer"), 2000);
  EXPECT_EQ(ras.counter(VNPU_COMPONENT_HBM0, ACCEL_RAS_SEV_CORRECTED), 3u);

  const ras::Snapshot s = ras.TakeSnapshot(3000);
  EXPECT_EQ(ras::Validate(s), 0);
  const ras::Counter& hbm = s.counters[VNPU_COMPONENT_HBM0 * 5 + ACCEL_RAS_SEV_CORRECTED];
  EXPECT_EQ(hbm.volatile_count, 3u);
  EXPECT_EQ(hbm.aggregate_count, 3u);  // since boot, both
  ASSERT_EQ(s.events.size(), 2u);
  const ras::Event& e = s.events[0];
  EXPECT_EQ(e.seqno, 1u);
  EXPECT_EQ(e.timestamp_ns, 1000u);
  EXPECT_EQ(e.component, uint32_t{VNPU_COMPONENT_HBM0});
  EXPECT_EQ(e.count, 3u);
  EXPECT_EQ(e.code, 0x100u);
  ASSERT_TRUE(e.address.has_value());
  EXPECT_EQ(*e.address, 0xdead000u);
  EXPECT_EQ(e.message, "ecc");
  EXPECT_EQ(s.events[1].seqno, 2u);
  EXPECT_FALSE(s.events[1].address.has_value());
  EXPECT_EQ(s.components[VNPU_COMPONENT_PCIE].health, ras::Health::kWarning);
  EXPECT_EQ(s.components[VNPU_COMPONENT_HBM0].health, ras::Health::kOk);
}

TEST(FirmwareRas, FatalFailsTheComponent) {
  FirmwareRas ras("S");
  ras.Apply(MakeFault(VNPU_COMPONENT_FW, ACCEL_RAS_SEV_FATAL, 1, "crash"), 1);
  EXPECT_EQ(ras.TakeSnapshot(2).components[VNPU_COMPONENT_FW].health, ras::Health::kFailed);
}

TEST(FirmwareRas, KeepsTheLastEventsAndCountsTheRest) {
  FirmwareRas ras("S");
  const uint32_t total = fw::kMaxFirmwareEvents + 4;
  for (uint32_t i = 0; i < total; ++i)
    ras.Apply(MakeFault(VNPU_COMPONENT_SRAM, ACCEL_RAS_SEV_CORRECTED, 1, "e"), i);
  const ras::Snapshot s = ras.TakeSnapshot(100);
  ASSERT_EQ(s.events.size(), fw::kMaxFirmwareEvents);
  EXPECT_EQ(s.events.front().seqno, 5u);
  EXPECT_EQ(s.events.back().seqno, total);
  EXPECT_EQ(s.events_dropped, 4u);
  EXPECT_EQ(ras.counter(VNPU_COMPONENT_SRAM, ACCEL_RAS_SEV_CORRECTED), total);
}

TEST(FirmwareRas, MessageBecomesUtf8) {
  FirmwareRas ras("S");
  ras.Apply(MakeFault(0, 0, 1, "bad \xff\xfe byte"), 1);
  ras.Apply(MakeFault(0, 0, 1, "gr\xc3\xbc\xc3\x9f"), 2);  // valid: kept
  const ras::Snapshot s = ras.TakeSnapshot(3);
  EXPECT_EQ(s.events[0].message, "bad ?? byte");
  EXPECT_EQ(s.events[1].message, "gr\xc3\xbc\xc3\x9f");
  EXPECT_EQ(ras::Validate(s), 0);
}

TEST(FirmwareRas, BlobDecodesToTheSnapshot) {
  FirmwareRas ras("VNPU-7");
  ras.Apply(MakeFault(0, 0, 1, "ecc", true, 0x1000), 5);
  Result<std::vector<uint8_t>> blob = ras.EncodeBlob(10);
  ASSERT_TRUE(blob) << blob.error();
  EXPECT_LE(blob->size(), kMaxBlobSize);
  Result<ras::Snapshot> back = ras::DecodeCborSnapshot(*blob);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, ras.TakeSnapshot(10));
}

TEST(FirmwareRas, FullLogOfLongMessagesFitsOnePayload) {
  FirmwareRas ras(std::string(63, 's'));
  const std::string longest(63, 'm');
  for (uint32_t i = 0; i < fw::kMaxFirmwareEvents; ++i)
    ras.Apply(MakeFault(i % 5, i % 5, 0xffffffff, longest.c_str(), true, ~0ull), ~0ull);
  Result<std::vector<uint8_t>> blob = ras.EncodeBlob(~0ull);
  ASSERT_TRUE(blob);
  EXPECT_LE(blob->size(), kMaxBlobSize);
  Result<ras::Snapshot> back = ras::DecodeCborSnapshot(*blob);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->events.size(), fw::kMaxFirmwareEvents);  // nothing had to be trimmed
}

TEST(FirmwareRas, OldestEventsAreTrimmedToFit) {
  FirmwareRas ras("S");
  for (uint32_t i = 0; i < 10; ++i) ras.Apply(MakeFault(0, 0, 1, "event"), i);
  Result<std::vector<uint8_t>> whole = ras.EncodeBlob(1);
  ASSERT_TRUE(whole);
  Result<std::vector<uint8_t>> trimmed = ras.EncodeBlob(1, whole->size() - 1);
  ASSERT_TRUE(trimmed);
  EXPECT_LT(trimmed->size(), whole->size());
  Result<ras::Snapshot> s = ras::DecodeCborSnapshot(*trimmed);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->events.size(), 9u);
  EXPECT_EQ(s->events.front().seqno, 2u);  // the oldest went
  EXPECT_EQ(s->events_dropped, 1u);
  EXPECT_EQ(ras.EncodeBlob(1, 16).error(), -E2BIG);  // not even the counters fit
}

}  // namespace
}  // namespace accel::vnpu::firmware
