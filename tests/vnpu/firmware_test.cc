// firmware_test.cc - vnpu-fw's loop (firmware.h) on a thread, against a driver played by the
// test, which can send anything: the protocol in order, then messages and rings a hostile or
// broken driver could produce.
#include "drivers/vnpu/firmware/firmware.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "drivers/vnpu/fwlink/rpmsg.h"
#include "ras/codecs/cbor/cbor_codec.h"
#include "uapi/accel/accel.h"

namespace accel::vnpu::firmware {
namespace {

using fwlink::DriverQueue;
using fwlink::RegionLayout;
using fwlink::SharedRegion;

constexpr uint32_t kNum = 8;
constexpr uint32_t kDriver = fw::kDriverAddr;

template <typename T>
std::vector<uint8_t> Bytes(const T& v) {
  std::vector<uint8_t> b(sizeof(T));
  std::memcpy(b.data(), &v, sizeof(T));
  return b;
}

class FirmwareLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<SharedRegion> r = SharedRegion::Create(kNum);
    ASSERT_TRUE(r);
    region_.emplace(std::move(*r));
    kick_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    call_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ASSERT_GE(kick_, 0);
    ASSERT_GE(call_, 0);
    rx_.emplace(region_->bytes(), layout(), 0);
    tx_.emplace(region_->bytes(), layout(), 1);
    for (uint16_t i = 0; i < kNum; ++i) {
      ASSERT_TRUE(rx_->Add(i, layout().buffer_offset(i), fw::kBufferSize, true));
      tx_free_.push_back(i);
    }
  }

  void TearDown() override {
    if (thread_.joinable()) {
      if (!done_) SendSimple(fw::kShutdown);
      thread_.join();
    }
    close(kick_);
    close(call_);
  }

  const RegionLayout& layout() const { return region_->layout(); }

  void Start(uint32_t heartbeat_ms = 60'000) {
    fw_ = std::make_unique<Firmware>(region_->bytes(), layout(), kick_, call_,
                                     FirmwareConfig{heartbeat_ms, "VNPU-T"});
    thread_ = std::thread([this] {
      exit_code_ = fw_->Run();
      done_ = true;
    });
  }

  int WaitExit() {
    thread_.join();
    return exit_code_;
  }

  void Kick() {
    const uint64_t one = 1;
    ASSERT_EQ(write(kick_, &one, sizeof(one)), 8);
  }

  // Waits on the call eventfd until `ready` holds, for up to `timeout_ms`. The eventfd says
  // only that something was used; `ready` looks at the rings, so a wakeup that another wait
  // consumed is never lost.
  bool WaitCall(const std::function<bool()>& ready, int timeout_ms = 5000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (ready()) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p = {call_, POLLIN, 0};
      poll(&p, 1, static_cast<int>(left.count()));
      uint64_t v;
      [[maybe_unused]] ssize_t n = read(call_, &v, sizeof(v));
    }
  }

  // Puts `bytes` in a tx buffer as they are (descriptor len = their size) and kicks; waits up
  // to `timeout_ms` for the firmware to give a buffer back when all are in flight.
  bool TrySendRaw(const std::vector<uint8_t>& bytes, int timeout_ms = 5000) {
    const bool free = WaitCall(
        [this] {
          for (Result<fwlink::UsedBuffer> u = tx_->GetUsed(); u; u = tx_->GetUsed())
            tx_free_.push_back(u->id);
          return !tx_free_.empty();
        },
        timeout_ms);
    if (!free) return false;
    const uint16_t id = tx_free_.back();
    tx_free_.pop_back();
    const uint64_t off = layout().buffer_offset(kNum + id);
    std::memcpy(region_->base() + off, bytes.data(), bytes.size());
    EXPECT_TRUE(tx_->Add(id, off, static_cast<uint32_t>(bytes.size()), false));
    Kick();
    return true;
  }
  void SendRaw(const std::vector<uint8_t>& bytes) { ASSERT_TRUE(TrySendRaw(bytes)); }

  void Send(uint32_t src, uint32_t dst, const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> buf(fw::kBufferSize);
    Result<size_t> n = fwlink::BuildRpmsg(buf, src, dst, payload);
    ASSERT_TRUE(n);
    buf.resize(*n);
    SendRaw(buf);
  }

  void SendSimple(uint32_t type, uint32_t src = kDriver) {
    Send(src, fw::kFirmwareAddr, Bytes(fw::Simple{type}));
  }

  // The next message the firmware sends, or nullopt after `timeout_ms`. Its buffer goes back.
  std::optional<std::vector<uint8_t>> Receive(int timeout_ms = 5000) {
    std::optional<std::vector<uint8_t>> msg;
    WaitCall(
        [&] {
          Result<fwlink::UsedBuffer> u = rx_->GetUsed();
          if (!u) {
            EXPECT_EQ(u.error(), -EAGAIN);
            return false;
          }
          msg.emplace(u->data.begin(), u->data.begin() + u->len);
          EXPECT_TRUE(rx_->Add(u->id, layout().buffer_offset(u->id), fw::kBufferSize, true));
          Kick();
          return true;
        },
        timeout_ms);
    return msg;
  }

  // The next message's payload, checking it comes from the firmware's endpoint to `dst`.
  std::vector<uint8_t> ReceivePayload(uint32_t dst = kDriver) {
    std::optional<std::vector<uint8_t>> m = Receive();
    EXPECT_TRUE(m.has_value());
    if (!m) return {};
    Result<fwlink::RpmsgMessage> r = fwlink::ParseRpmsg(*m);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->src, fw::kFirmwareAddr);
    EXPECT_EQ(r->dst, dst);
    return {r->payload.begin(), r->payload.end()};
  }

  uint32_t TypeOf(const std::vector<uint8_t>& payload) {
    uint32_t t = 0;
    if (payload.size() >= 4) std::memcpy(&t, payload.data(), 4);
    return t;
  }

  // The announcement, then a RAS_REQUEST, answered by HELLO and a RAS blob.
  void Handshake() {
    std::vector<uint8_t> ns = ReceivePayload(fw::kNsAddr);
    Result<fwlink::NsAnnouncement> a = fwlink::ParseNsAnnouncement(ns);
    ASSERT_TRUE(a);
    SendSimple(fw::kRasRequest);
    ASSERT_EQ(TypeOf(ReceivePayload()), fw::kHello);
    ASSERT_EQ(TypeOf(ReceivePayload()), fw::kRasBlob);
  }

  uint8_t* Ring(int q) { return region_->base() + layout().vring_offset[q]; }
  fwlink::VringDesc* Desc(int q, uint32_t i) {
    return reinterpret_cast<fwlink::VringDesc*>(Ring(q)) + i;
  }
  uint16_t* AvailIdx(int q) {
    return reinterpret_cast<uint16_t*>(Ring(q) + fwlink::VringLayout::For(kNum).avail + 2);
  }

  std::optional<SharedRegion> region_;
  int kick_ = -1, call_ = -1;
  std::optional<DriverQueue> rx_, tx_;
  std::vector<uint16_t> tx_free_;
  std::unique_ptr<Firmware> fw_;
  std::thread thread_;
  int exit_code_ = -1;
  std::atomic<bool> done_{false};
};

TEST_F(FirmwareLoopTest, AnnouncesThenAnswersTheFirstMessageWithHello) {
  Start(/*heartbeat_ms=*/1234);
  std::vector<uint8_t> ns = ReceivePayload(fw::kNsAddr);
  Result<fwlink::NsAnnouncement> a = fwlink::ParseNsAnnouncement(ns);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "vnpu-ctrl");
  EXPECT_EQ(a->addr, fw::kFirmwareAddr);
  EXPECT_EQ(a->flags, fw::kNsCreate);

  SendSimple(fw::kRasRequest);
  std::vector<uint8_t> hello = ReceivePayload();
  ASSERT_EQ(hello.size(), sizeof(fw::Hello));
  fw::Hello h;
  std::memcpy(&h, hello.data(), sizeof(h));
  EXPECT_EQ(h.type, fw::kHello);
  EXPECT_EQ(h.major, 1);
  EXPECT_EQ(h.minor, 4);
  EXPECT_EQ(h.patch, 0);
  EXPECT_EQ(h.heartbeat_ms, 1234u);
  EXPECT_EQ(h.pid, static_cast<uint32_t>(getpid()));

  std::vector<uint8_t> blob = ReceivePayload();
  ASSERT_GT(blob.size(), sizeof(fw::RasBlobHeader));
  fw::RasBlobHeader bh;
  std::memcpy(&bh, blob.data(), sizeof(bh));
  EXPECT_EQ(bh.type, fw::kRasBlob);
  EXPECT_EQ(bh.format, static_cast<uint32_t>(ACCEL_RAS_FMT_CBOR));
  Result<ras::Snapshot> s =
      ras::DecodeCborSnapshot(std::span(blob).subspan(sizeof(fw::RasBlobHeader)));
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->device.serial, "VNPU-T");

  SendSimple(fw::kShutdown);
  EXPECT_EQ(WaitExit(), kExitOk);
}

TEST_F(FirmwareLoopTest, HeartbeatsCountFromOne) {
  Start(/*heartbeat_ms=*/5);
  Handshake();
  uint64_t last_uptime = 0;
  for (uint32_t want = 1; want <= 3; ++want) {
    std::vector<uint8_t> p = ReceivePayload();
    ASSERT_EQ(p.size(), sizeof(fw::Heartbeat));
    fw::Heartbeat hb;
    std::memcpy(&hb, p.data(), sizeof(hb));
    EXPECT_EQ(hb.type, fw::kHeartbeat);
    EXPECT_EQ(hb.seq, want);
    EXPECT_GT(hb.uptime_ns, last_uptime);
    last_uptime = hb.uptime_ns;
  }
}

TEST_F(FirmwareLoopTest, HostileMessagesAreDroppedAndTheFirmwareCarriesOn) {
  Start();
  ASSERT_TRUE(Receive().has_value());  // the announcement
  SendRaw({1, 2, 3, 4, 5});            // a header cut short
  std::vector<uint8_t> lying(16 + 4);  // len says 100, the buffer holds 4
  fw::RpmsgHeader h{kDriver, fw::kFirmwareAddr, 0, 100, 0};
  std::memcpy(lying.data(), &h, sizeof(h));
  SendRaw(lying);
  Send(kDriver, 0x999, Bytes(fw::Simple{fw::kShutdown}));   // not our endpoint
  Send(kDriver, fw::kFirmwareAddr, Bytes(fw::Simple{77}));  // unknown type
  Send(kDriver, fw::kFirmwareAddr, {6, 0, 0, 0, 0});        // SHUTDOWN, one byte too long
  fw::Fault f{};
  f.type = fw::kFault;
  f.component = 99;
  f.count = 1;
  Send(kDriver, fw::kFirmwareAddr, Bytes(f));      // component out of range
  SendSimple(fw::kShutdown, /*src=*/0xffffffff);   // RPMSG_ADDR_ANY is no driver
  SendSimple(fw::kShutdown, /*src=*/fw::kNsAddr);  // nor is the name service
  SendSimple(fw::kRasRequest);                     // finally, the driver
  EXPECT_EQ(TypeOf(ReceivePayload()), fw::kHello);
  EXPECT_EQ(TypeOf(ReceivePayload()), fw::kRasBlob);

  SendSimple(fw::kShutdown, /*src=*/kDriver + 1);  // another endpoint: ignored
  SendSimple(fw::kRasRequest);
  EXPECT_EQ(TypeOf(ReceivePayload()), fw::kRasBlob);  // still serving
  EXPECT_FALSE(done_);
  SendSimple(fw::kShutdown);
  EXPECT_EQ(WaitExit(), kExitOk);
}

TEST_F(FirmwareLoopTest, FaultIsAnsweredWithABlobThatCountsIt) {
  Start();
  Handshake();
  fw::Fault f{};
  f.type = fw::kFault;
  f.component = VNPU_COMPONENT_SRAM;
  f.severity = ACCEL_RAS_SEV_UNCORRECTED;
  f.count = 2;
  f.flags = fw::kFaultHasAddress;
  f.address = 0x4000;
  std::strcpy(f.message, "parity");
  Send(kDriver, fw::kFirmwareAddr, Bytes(f));
  std::vector<uint8_t> blob = ReceivePayload();
  ASSERT_EQ(TypeOf(blob), fw::kRasBlob);
  Result<ras::Snapshot> s =
      ras::DecodeCborSnapshot(std::span(blob).subspan(sizeof(fw::RasBlobHeader)));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->counters[VNPU_COMPONENT_SRAM * 5 + ACCEL_RAS_SEV_UNCORRECTED].volatile_count, 2u);
  ASSERT_EQ(s->events.size(), 1u);
  EXPECT_EQ(s->events[0].address, std::optional<uint64_t>(0x4000));
  EXPECT_EQ(s->events[0].message, "parity");
}

TEST_F(FirmwareLoopTest, StopHeartbeatSilencesOnlyTheHeartbeats) {
  Start(/*heartbeat_ms=*/5);
  Handshake();
  ASSERT_EQ(TypeOf(ReceivePayload()), fw::kHeartbeat);
  SendSimple(fw::kStopHeartbeat);
  SendSimple(fw::kRasRequest);
  // Messages are handled in order: once the blob is here, the stop was handled too.
  for (;;) {
    const uint32_t t = TypeOf(ReceivePayload());
    if (t == fw::kRasBlob) break;
    ASSERT_EQ(t, fw::kHeartbeat);
  }
  EXPECT_FALSE(Receive(/*timeout_ms=*/100).has_value());  // 20 periods of silence
  SendSimple(fw::kRasRequest);
  EXPECT_EQ(TypeOf(ReceivePayload()), fw::kRasBlob);  // alive, just silent
}

// A driver that sends faster than it takes answers: the firmware stops taking its messages
// (the tx ring stays full) rather than drop answers.
TEST_F(FirmwareLoopTest, LaggingDriverLosesNoAnswers) {
  Start();
  Handshake();
  std::vector<uint8_t> req(fw::kBufferSize);
  Result<size_t> n =
      fwlink::BuildRpmsg(req, kDriver, fw::kFirmwareAddr, Bytes(fw::Simple{fw::kRasRequest}));
  ASSERT_TRUE(n);
  req.resize(*n);
  int sent = 0;
  while (sent < 1000 && TrySendRaw(req, /*timeout_ms=*/1000)) ++sent;
  EXPECT_LT(sent, 1000) << "the firmware kept taking messages it could not answer";
  EXPECT_GE(sent, static_cast<int>(kNum));
  for (int i = 0; i < sent; ++i) ASSERT_EQ(TypeOf(ReceivePayload()), fw::kRasBlob) << i;
  SendSimple(fw::kShutdown);
  EXPECT_EQ(WaitExit(), kExitOk);
}

TEST_F(FirmwareLoopTest, OverfullAvailRingStopsTheFirmware) {
  Start();
  ASSERT_TRUE(Receive().has_value());
  // More entries than the ring holds, published as a driver would (release).
  std::atomic_ref<uint16_t>(*AvailIdx(1)).store(kNum + 1, std::memory_order_release);
  Kick();
  EXPECT_EQ(WaitExit(), kExitProtocol);
}

TEST_F(FirmwareLoopTest, RxDescriptorIntoTheHeaderIsNeverWritten) {
  std::vector<uint8_t> header(region_->base(), region_->base() + fwlink::kRegionPage);
  Desc(0, 0)->addr = 0;  // the first buffer the firmware takes now points at the header
  Start();
  EXPECT_EQ(WaitExit(), kExitProtocol);
  EXPECT_EQ(std::memcmp(header.data(), region_->base(), header.size()), 0);
}

TEST_F(FirmwareLoopTest, TxDescriptorOutsideThePoolStopsTheFirmware) {
  const fw::Simple req{fw::kRasRequest};
  const uint64_t off = layout().buffer_offset(kNum);
  ASSERT_TRUE(tx_->Add(0, off, sizeof(fw::RpmsgHeader) + sizeof(req), false));
  Desc(1, 0)->addr = layout().region_size - 8;  // runs past the end of the region
  Start();
  Kick();
  EXPECT_EQ(WaitExit(), kExitProtocol);
}

}  // namespace
}  // namespace accel::vnpu::firmware
