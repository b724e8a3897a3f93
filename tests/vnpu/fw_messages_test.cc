// fw_messages_test.cc - each direction's payload decoder: what it takes, and every refusal.
#include "drivers/vnpu/fwlink/fw_messages.h"

#include <gtest/gtest.h>
#include <uapi/accel/vnpu.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace accel::vnpu::fwlink {
namespace {

template <typename T>
std::vector<uint8_t> Bytes(const T& v) {
  std::vector<uint8_t> b(sizeof(T));
  std::memcpy(b.data(), &v, sizeof(T));
  return b;
}

fw::Fault GoodFault() {
  fw::Fault f{};
  f.type = fw::kFault;
  f.component = VNPU_COMPONENT_HBM0;
  f.severity = ACCEL_RAS_SEV_CORRECTED;
  f.count = 1;
  f.code = 0x42;
  f.flags = fw::kFaultHasAddress;
  f.address = 0x1000;
  std::strcpy(f.message, "ecc");
  return f;
}

TEST(ParseFirmwareMessage, Hello) {
  const fw::Hello h{fw::kHello, 1, 4, 0, 0, 100, 1234};
  Result<FirmwareMessage> m = ParseFirmwareMessage(Bytes(h));
  ASSERT_TRUE(m);
  const auto* got = std::get_if<fw::Hello>(&*m);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->minor, 4);
  EXPECT_EQ(got->heartbeat_ms, 100u);
  EXPECT_EQ(got->pid, 1234u);
}

TEST(ParseFirmwareMessage, Heartbeat) {
  const fw::Heartbeat h{fw::kHeartbeat, 7, 123456789};
  Result<FirmwareMessage> m = ParseFirmwareMessage(Bytes(h));
  ASSERT_TRUE(m);
  const auto* got = std::get_if<fw::Heartbeat>(&*m);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->seq, 7u);
  EXPECT_EQ(got->uptime_ns, 123456789u);
}

TEST(ParseFirmwareMessage, RasBlob) {
  std::vector<uint8_t> p = Bytes(fw::RasBlobHeader{fw::kRasBlob, ACCEL_RAS_FMT_CBOR});
  p.insert(p.end(), {0xa0, 0x01});
  Result<FirmwareMessage> m = ParseFirmwareMessage(p);
  ASSERT_TRUE(m);
  const auto* got = std::get_if<RasBlobView>(&*m);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->format, static_cast<uint32_t>(ACCEL_RAS_FMT_CBOR));
  ASSERT_EQ(got->blob.size(), 2u);
  EXPECT_EQ(got->blob.data(), p.data() + 8);
}

TEST(ParseFirmwareMessage, Refusals) {
  EXPECT_EQ(ParseFirmwareMessage({}).error(), -EBADMSG);
  EXPECT_EQ(ParseFirmwareMessage(std::vector<uint8_t>{1, 0, 0}).error(), -EBADMSG);

  std::vector<uint8_t> hello = Bytes(fw::Hello{fw::kHello, 1, 4, 0, 0, 100, 1});
  EXPECT_EQ(ParseFirmwareMessage(std::span(hello).first(19)).error(), -EBADMSG);
  hello.push_back(0);
  EXPECT_EQ(ParseFirmwareMessage(hello).error(), -EBADMSG);  // sizes are exact
  std::vector<uint8_t> hb = Bytes(fw::Heartbeat{fw::kHeartbeat, 1, 1});
  EXPECT_EQ(ParseFirmwareMessage(std::span(hb).first(12)).error(), -EBADMSG);
  // A blob header with no blob.
  EXPECT_EQ(ParseFirmwareMessage(Bytes(fw::RasBlobHeader{fw::kRasBlob, 8})).error(), -EBADMSG);
  EXPECT_EQ(ParseFirmwareMessage(std::vector<uint8_t>{3, 0, 0, 0, 8}).error(), -EBADMSG);

  // The driver's own types, and types nobody defined.
  EXPECT_EQ(ParseFirmwareMessage(Bytes(GoodFault())).error(), -ENOMSG);
  EXPECT_EQ(ParseFirmwareMessage(Bytes(fw::Simple{fw::kShutdown})).error(), -ENOMSG);
  EXPECT_EQ(ParseFirmwareMessage(Bytes(fw::Simple{0})).error(), -ENOMSG);
  EXPECT_EQ(ParseFirmwareMessage(Bytes(fw::Simple{0xffffffff})).error(), -ENOMSG);
}

TEST(ParseDriverMessage, FaultAndSimpleCommands) {
  Result<DriverMessage> m = ParseDriverMessage(Bytes(GoodFault()));
  ASSERT_TRUE(m);
  const auto* f = std::get_if<CheckedFault>(&*m);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fault().address, 0x1000u);
  EXPECT_STREQ(f->fault().message, "ecc");

  for (uint32_t t : {uint32_t{fw::kRasRequest}, uint32_t{fw::kShutdown},
                     uint32_t{fw::kStopHeartbeat}, uint32_t{fw::kProbeSandbox}}) {
    Result<DriverMessage> s = ParseDriverMessage(Bytes(fw::Simple{t}));
    ASSERT_TRUE(s) << t;
    EXPECT_EQ(std::get<fw::Simple>(*s).type, t);
  }
}

TEST(ParseDriverMessage, Refusals) {
  EXPECT_EQ(ParseDriverMessage({}).error(), -EBADMSG);
  EXPECT_EQ(ParseDriverMessage(std::vector<uint8_t>{6, 0}).error(), -EBADMSG);
  std::vector<uint8_t> shutdown = Bytes(fw::Simple{fw::kShutdown});
  shutdown.push_back(0);
  EXPECT_EQ(ParseDriverMessage(shutdown).error(), -EBADMSG);
  std::vector<uint8_t> fault = Bytes(GoodFault());
  EXPECT_EQ(ParseDriverMessage(std::span(fault).first(95)).error(), -EBADMSG);

  EXPECT_EQ(ParseDriverMessage(Bytes(fw::Hello{fw::kHello, 1, 4, 0, 0, 1, 1})).error(), -ENOMSG);
  EXPECT_EQ(ParseDriverMessage(Bytes(fw::Simple{fw::kHeartbeat})).error(), -ENOMSG);
  EXPECT_EQ(ParseDriverMessage(Bytes(fw::Simple{99})).error(), -ENOMSG);

  struct Case {
    const char* what;
    void (*corrupt)(fw::Fault& f);
  };
  const Case cases[] = {
      {"component", [](fw::Fault& f) { f.component = VNPU_NUM_COMPONENTS; }},
      {"severity", [](fw::Fault& f) { f.severity = ACCEL_RAS_SEV_COUNT; }},
      {"count 0", [](fw::Fault& f) { f.count = 0; }},
      {"unknown flag", [](fw::Fault& f) { f.flags |= 2; }},
      {"message without NUL", [](fw::Fault& f) { std::memset(f.message, 'm', sizeof(f.message)); }},
  };
  for (const Case& c : cases) {
    fw::Fault f = GoodFault();
    c.corrupt(f);
    EXPECT_EQ(CheckFault(f).error(), -EINVAL) << c.what;
    EXPECT_EQ(ParseDriverMessage(Bytes(f)).error(), -EINVAL) << c.what;
  }
  fw::Fault hello = GoodFault();
  hello.type = fw::kHello;  // a fault's fields under another type: not a fault
  EXPECT_EQ(CheckFault(hello).error(), -EINVAL);
}

}  // namespace
}  // namespace accel::vnpu::fwlink
