// grpc_service_test.cc - the gRPC RAS service's calls through real gRPC servers on real UNIX
// sockets: every call on each socket, the error mapping, watch ordering and loss, shutdown
// with watchers attached. Sockets, permissions and an independent reader are in
// grpc_socket_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <thread>

#include "grpc_service_fixture.h"
#include "ras/codecs/protobuf/protobuf_codec.h"
#include "ras/rpc/service_convert.h"

namespace accel::ras::testing {
namespace {

using ::testing::HasSubstr;

// ---- Query, Devices ------------------------------------------------------------------------

TEST_F(RasGrpcServiceTest, DevicesAndQuery) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  Result<std::vector<DeviceIdentity>> devices = client->Devices();
  ASSERT_TRUE(devices);
  EXPECT_EQ(*devices, backend_.Devices());

  Result<Snapshot> s = client->Query("accel0");
  ASSERT_TRUE(s) << ErrnoText(s.error());
  EXPECT_EQ(*s, backend_.snapshot("accel0"));
  EXPECT_EQ(s->events.size(), 10u);
  Result<Snapshot> by_serial = client->Query("FAKE-1");
  ASSERT_TRUE(by_serial);
  EXPECT_EQ(by_serial->device.name, "accel1");
  EXPECT_EQ(client->Query("accel9").error(), -ENODEV);
}

TEST_F(RasGrpcServiceTest, QueryEncodedPayload) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  Result<RasGrpcClient::Encoded> enc = client->QueryEncoded("accel0", ACCEL_RAS_FMT_PROTOBUF);
  ASSERT_TRUE(enc) << ErrnoText(enc.error());
  EXPECT_EQ(enc->schema, static_cast<uint32_t>(ACCEL_RAS_SCHEMA_NATIVE));
  Result<Snapshot> decoded = ProtobufCodec().decode(enc->payload);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, backend_.snapshot("accel0"));

  EXPECT_EQ(client->QueryEncoded("accel0", ACCEL_RAS_FMT_JSON).error(), -EOPNOTSUPP);
  EXPECT_EQ(client->QueryEncoded("accel0", ACCEL_RAS_FMT_PROTOBUF, true).error(), -EOPNOTSUPP);
  EXPECT_EQ(client->QueryEncoded("accel0", 99).error(), -EINVAL);
  EXPECT_EQ(client->QueryEncoded("accel9", ACCEL_RAS_FMT_PROTOBUF).error(), -ENODEV);

  // raw without a format is refused by the service itself.
  auto stub = StubFor(opts_.query_socket);
  grpc::ClientContext ctx;
  v1::QueryRequest req;
  req.set_device("accel0");
  req.set_raw(true);
  v1::QueryReply reply;
  grpc::Status st = stub->Query(&ctx, req, &reply);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("raw needs a format"));
}

// ---- Error mapping -------------------------------------------------------------------------

TEST(RasGrpcErrno, MapsBothWays) {
  EXPECT_EQ(StatusCodeForErrno(-ENODEV), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(StatusCodeForErrno(-EINVAL), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(StatusCodeForErrno(-EOPNOTSUPP), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(StatusCodeForErrno(-EPERM), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StatusCodeForErrno(-EACCES), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StatusCodeForErrno(-EIO), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(StatusCodeForErrno(-EBADMSG), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(ErrnoForStatusCode(grpc::StatusCode::NOT_FOUND), -ENODEV);
  EXPECT_EQ(ErrnoForStatusCode(grpc::StatusCode::UNIMPLEMENTED), -EOPNOTSUPP);
  EXPECT_EQ(ErrnoForStatusCode(grpc::StatusCode::PERMISSION_DENIED), -EACCES);
  EXPECT_EQ(ErrnoForStatusCode(grpc::StatusCode::UNAVAILABLE), -ECONNREFUSED);
  EXPECT_EQ(ErrnoForStatusCode(grpc::StatusCode::INTERNAL), -EIO);
  EXPECT_EQ(ErrnoText(-ENODEV), "ENODEV (No such device)");
  // Without the accel-errno trailer (another server), the code alone decides.
  grpc::ClientContext no_trailer;
  EXPECT_EQ(ErrnoFromStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x"), no_trailer), -ENODEV);
  EXPECT_EQ(ErrnoFromStatus(grpc::Status::OK, no_trailer), 0);
}

TEST_F(RasGrpcServiceTest, BackendErrorsBecomeCodesAndKeepTheirErrno) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  auto stub = StubFor(opts_.query_socket);
  ASSERT_TRUE(client);
  const struct {
    int err;
    grpc::StatusCode code;
    const char* name;
  } cases[] = {
      {-ENODEV, grpc::StatusCode::NOT_FOUND, "ENODEV"},
      {-EINVAL, grpc::StatusCode::INVALID_ARGUMENT, "EINVAL"},
      {-EOPNOTSUPP, grpc::StatusCode::UNIMPLEMENTED, "EOPNOTSUPP"},
      {-EPERM, grpc::StatusCode::PERMISSION_DENIED, "EPERM"},
      {-EACCES, grpc::StatusCode::PERMISSION_DENIED, "EACCES"},
      {-EIO, grpc::StatusCode::INTERNAL, "EIO"},
      {-EBADMSG, grpc::StatusCode::INTERNAL, "EBADMSG"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    backend_.FailQueryWith(c.err);
    grpc::ClientContext ctx;
    v1::QueryRequest req;
    req.set_device("accel0");
    v1::QueryReply reply;
    grpc::Status st = stub->Query(&ctx, req, &reply);
    EXPECT_EQ(st.error_code(), c.code);
    EXPECT_THAT(st.error_message(), HasSubstr(std::string("Query(accel0): ") + c.name + " ("));
    auto it = ctx.GetServerTrailingMetadata().find(kErrnoMetadataKey);
    ASSERT_NE(it, ctx.GetServerTrailingMetadata().end());
    EXPECT_EQ(std::string(it->second.data(), it->second.size()), std::to_string(-c.err));
    EXPECT_EQ(client->Query("accel0").error(), c.err);  // the exact errno, not the code's
  }
}

// ---- Permissions per socket ----------------------------------------------------------------

TEST_F(RasGrpcServiceTest, QuerySocketRefusesClearAndInject) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  const Snapshot before = backend_.snapshot("accel0");
  InjectRequest in;
  in.component = "hbm0";
  EXPECT_EQ(client->Clear("accel0").error(), -EPERM);
  EXPECT_EQ(client->Inject("accel0", in).error(), -EPERM);
  EXPECT_EQ(backend_.snapshot("accel0"), before);

  auto stub = StubFor(opts_.query_socket);
  grpc::ClientContext ctx;
  v1::ClearRequest req;
  req.set_device("accel0");
  v1::ClearReply reply;
  grpc::Status st = stub->Clear(&ctx, req, &reply);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("use the admin socket"));
}

TEST_F(RasGrpcServiceTest, AdminSocketClearsAndInjects) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto admin = AdminClient();
  ASSERT_TRUE(admin);
  const Snapshot before = backend_.snapshot("accel0");
  InjectRequest in;
  in.component = "pcie";
  in.severity = 2;
  in.count = 3;
  in.address = 0x4000;
  Result<uint64_t> seqno = admin->Inject("accel0", in);
  ASSERT_TRUE(seqno) << ErrnoText(seqno.error());
  EXPECT_EQ(*seqno, before.events.back().seqno + 1);

  Result<Snapshot> after = admin->Query("accel0");
  ASSERT_TRUE(after);
  const Event& e = after->events.back();
  EXPECT_EQ(e.seqno, *seqno);
  EXPECT_EQ(after->components[e.component].name, "pcie");
  EXPECT_EQ(e.severity, 2u);
  EXPECT_EQ(e.count, 3u);
  EXPECT_EQ(e.address, std::optional<uint64_t>(0x4000));
  const Counter& k = after->counters[e.component * kSeverityCount + 2];
  EXPECT_EQ(k.volatile_count, before.counters[e.component * kSeverityCount + 2].volatile_count + 3);

  ASSERT_TRUE(admin->Clear("accel0"));
  Result<Snapshot> cleared = admin->Query("accel0");
  ASSERT_TRUE(cleared);
  for (size_t i = 0; i < cleared->counters.size(); ++i) {
    EXPECT_EQ(cleared->counters[i].volatile_count, 0u);
    EXPECT_EQ(cleared->counters[i].aggregate_count, after->counters[i].aggregate_count);
  }

  EXPECT_EQ(admin->Clear("accel9").error(), -ENODEV);
  EXPECT_EQ(admin->Inject("accel9", in).error(), -ENODEV);
  in.component = "nvlink";
  EXPECT_EQ(admin->Inject("accel0", in).error(), -EINVAL);
  in.component = "";
  EXPECT_EQ(admin->Inject("accel0", in).error(), -EINVAL);
}

TEST_F(RasGrpcServiceTest, InjectSeverityByNameAndDefaults) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto stub = StubFor(opts_.admin_socket);
  const auto inject = [&](const v1::InjectRequest& req, v1::InjectReply* reply) {
    grpc::ClientContext ctx;
    return stub->Inject(&ctx, req, reply);
  };
  v1::InjectRequest req;
  req.set_device("accel1");
  req.set_component("hbm0");
  req.set_severity_name("FATAL");
  v1::InjectReply reply;
  ASSERT_TRUE(inject(req, &reply).ok());
  Event e = backend_.snapshot("accel1").events.back();
  EXPECT_EQ(e.seqno, reply.seqno());
  EXPECT_EQ(e.severity, 3u);
  EXPECT_EQ(e.count, 1u);  // count 0 means 1
  EXPECT_FALSE(e.address.has_value());

  req.clear_severity_spec();  // unset: corrected
  ASSERT_TRUE(inject(req, &reply).ok());
  EXPECT_EQ(backend_.snapshot("accel1").events.back().severity, 0u);

  req.set_severity_name("catastrophic");
  EXPECT_EQ(inject(req, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_severity(static_cast<v1::Severity>(7));
  EXPECT_EQ(inject(req, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// ---- Log, Thresholds -----------------------------------------------------------------------

TEST_F(RasGrpcServiceTest, Log) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto admin = AdminClient();
  auto client = QueryClient();
  ASSERT_TRUE(admin && client);
  const uint32_t severities[] = {0, 2, 0, 3, 0};
  for (uint32_t sev : severities) {
    InjectRequest in;
    in.component = "sram";
    in.severity = sev;
    ASSERT_TRUE(admin->Inject("accel0", in));
  }
  InjectRequest in;
  in.component = "hbm0";
  ASSERT_TRUE(admin->Inject("accel1", in));
  ASSERT_TRUE(admin->Inject("accel1", in));

  Result<std::vector<EventRecord>> all = client->Log(LogQuery{});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 7u);
  Result<std::vector<EventRecord>> expected = backend_.Log(LogQuery{});
  ASSERT_TRUE(expected);
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].device, (*expected)[i].device);
    EXPECT_EQ((*all)[i].component_name, (*expected)[i].component_name);
    EXPECT_EQ((*all)[i].event, (*expected)[i].event);
    if (i > 0) {
      EXPECT_LT((*all)[i - 1].event.timestamp_ns, (*all)[i].event.timestamp_ns);
    }
  }
  EXPECT_EQ((*all)[0].component_name, "sram");

  LogQuery q;
  q.device = "accel1";
  EXPECT_EQ(client->Log(q)->size(), 2u);
  q = LogQuery{};
  q.severity = 0;
  EXPECT_EQ(client->Log(q)->size(), 5u);  // three on accel0, two on accel1
  q = LogQuery{};
  q.limit = 2;
  Result<std::vector<EventRecord>> newest = client->Log(q);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[1].event, (*all)[6].event);
  q = LogQuery{};
  q.since_ns = (*all)[1].event.timestamp_ns;
  q.until_ns = (*all)[4].event.timestamp_ns;
  EXPECT_EQ(client->Log(q)->size(), 3u);

  q = LogQuery{};
  q.limit = 20000;
  EXPECT_EQ(client->Log(q).error(), -EINVAL);
  q = LogQuery{};
  q.device = "accel9";
  EXPECT_EQ(client->Log(q).error(), -ENODEV);
}

TEST_F(RasGrpcServiceTest, Thresholds) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  Result<std::vector<ThresholdStatus>> all = client->Thresholds("");
  ASSERT_TRUE(all);
  const std::vector<ThresholdStatus> expected = backend_.Thresholds("");
  ASSERT_EQ(all->size(), expected.size());
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].device, expected[i].device);
    EXPECT_EQ((*all)[i].rule, expected[i].rule);
    EXPECT_EQ((*all)[i].in_window, expected[i].in_window);
    EXPECT_EQ((*all)[i].crossings, expected[i].crossings);
    EXPECT_EQ((*all)[i].last_crossing_ns, expected[i].last_crossing_ns);
    EXPECT_EQ((*all)[i].state, expected[i].state);
  }
  Result<std::vector<ThresholdStatus>> one = client->Thresholds("accel1");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].rule.action, ThresholdAction::kReset);
  EXPECT_FALSE((*one)[0].rule.auto_recover);
  EXPECT_EQ((*one)[0].state, "manual");
  EXPECT_EQ(client->Thresholds("accel9").error(), -ENODEV);
}

// ---- Watch ---------------------------------------------------------------------------------

TEST_F(RasGrpcServiceTest, WatchDeliversEventsInOrder) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  auto admin = AdminClient();
  ASSERT_TRUE(client && admin);
  Watcher watcher(client.get(), "");
  ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
  const char* const components[] = {"hbm0", "sram", "pcie", "fw", "compute"};
  constexpr uint32_t kEvents = 200;
  for (uint32_t i = 0; i < kEvents; ++i) {
    InjectRequest in;
    in.component = components[i % 5];
    in.severity = i % kSeverityCount;
    ASSERT_TRUE(admin->Inject("accel0", in));
  }
  ASSERT_TRUE(watcher.WaitForItems(kEvents));
  const std::vector<RasGrpcClient::WatchItem> items = watcher.items();
  ASSERT_EQ(items.size(), kEvents);
  const uint64_t first = items[0].record->event.seqno;
  for (uint32_t i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(items[i].record.has_value());
    const EventRecord& r = *items[i].record;
    EXPECT_EQ(items[i].lost, 0u);
    EXPECT_EQ(r.event.seqno, first + i);
    EXPECT_EQ(r.device, backend_.snapshot("accel0").device);
    EXPECT_EQ(r.component_name, components[i % 5]);
    EXPECT_EQ(r.event.severity, i % kSeverityCount);
  }
  watcher.Stop();
  EXPECT_EQ(watcher.WaitDone(), 0);
}

TEST_F(RasGrpcServiceTest, WatchReportsLostEvents) {
  opts_.watch_queue_len = 4;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  Watcher watcher(client.get(), "accel0");
  ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
  backend_.Burst("accel0", 10);  // 10 events into a queue of 4: the 6 oldest are dropped
  ASSERT_TRUE(watcher.WaitForItems(4));
  const Snapshot s = backend_.snapshot("accel0");
  InjectRequest in;
  in.component = "fw";
  Result<uint64_t> later = AdminClient()->Inject("accel0", in);
  ASSERT_TRUE(later);
  ASSERT_TRUE(watcher.WaitForItems(5));
  const std::vector<RasGrpcClient::WatchItem> items = watcher.items();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].lost, 6u);
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(items[i].record.has_value());
    EXPECT_EQ(items[i].record->event.seqno, s.events.back().seqno - 3 + i);
    if (i > 0) {
      EXPECT_EQ(items[i].lost, 0u);
    }
  }
  EXPECT_EQ(items[4].record->event.seqno, *later);
  EXPECT_EQ(items[4].lost, 0u);
}

TEST_F(RasGrpcServiceTest, WatchOneDevice) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  auto admin = AdminClient();
  ASSERT_TRUE(client && admin);
  Watcher watcher(client.get(), "FAKE-1");  // accel1, by serial
  ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
  InjectRequest in;
  in.component = "hbm0";
  ASSERT_TRUE(admin->Inject("accel0", in));  // would arrive first if the filter leaked
  ASSERT_TRUE(admin->Inject("accel1", in));
  ASSERT_TRUE(watcher.WaitForItems(1));
  watcher.Stop();
  EXPECT_EQ(watcher.WaitDone(), 0);
  const auto items = watcher.items();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].record->device.name, "accel1");

  const auto never = [](const RasGrpcClient::WatchItem&) { return true; };
  EXPECT_EQ(client->Watch("accel9", never, nullptr).error(), -ENODEV);
}

TEST_F(RasGrpcServiceTest, WatchEndsOnCallbackFalseAndOnStop) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  std::thread inject([&] {
    ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
    backend_.Burst("accel0", 3);
  });
  int calls = 0;
  Result<void> r = client->Watch(
      "", [&](const RasGrpcClient::WatchItem&) { return ++calls < 2; }, nullptr);
  inject.join();
  EXPECT_TRUE(r);
  EXPECT_EQ(calls, 2);

  Watcher watcher(client.get(), "");
  ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
  const auto t0 = Clock::now();
  watcher.Stop();
  EXPECT_EQ(watcher.WaitDone(), 0);
  EXPECT_LT(ElapsedMs(t0), 1000);
  EXPECT_TRUE(backend_.WaitForSubscribers(0, 5000));  // the server saw the cancel
}

// Watch slots are the listener's own: a full query socket leaves the admin socket's slots
// (issue 12 A7; before, one count covered every listener).
TEST_F(RasGrpcServiceTest, WatchersAreBoundedPerListener) {
  opts_.query_watchers = 1;
  opts_.admin_watchers = 1;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  Watcher first(client.get(), "");
  ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
  const auto never = [](const RasGrpcClient::WatchItem&) { return true; };
  EXPECT_EQ(client->Watch("", never, nullptr).error(), -EMFILE);
  auto admin = AdminClient();
  ASSERT_TRUE(admin);
  Watcher second(admin.get(), "");
  ASSERT_TRUE(backend_.WaitForSubscribers(2, 5000));
  EXPECT_EQ(admin->Watch("", never, nullptr).error(), -EMFILE);
}

TEST_F(RasGrpcServiceTest, WatchTextThatIsNotUtf8StillArrives) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  ASSERT_TRUE(client);
  Watcher watcher(client.get(), "");
  ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
  EventRecord r;
  r.device = backend_.snapshot("accel0").device;
  r.component_name = "hb\xff";
  r.event.message = "cut \xe2\x82";  // a euro sign cut after two of its three bytes
  backend_.Publish(r);
  ASSERT_TRUE(watcher.WaitForItems(1));
  EXPECT_EQ(watcher.items()[0].record->component_name, "hb?");
  EXPECT_EQ(watcher.items()[0].record->event.message, "cut ??");
}

TEST(RasGrpcConvert, ValidUtf8ReplacesOnlyBadBytes) {
  EXPECT_EQ(ValidUtf8("plain"), "plain");
  EXPECT_EQ(ValidUtf8("\xc2\xb5 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\xc2\xb5 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), "??");            // overlong '/'
  EXPECT_EQ(ValidUtf8("a\xed\xa0\x80z"), "a???z");   // a UTF-16 surrogate
  EXPECT_EQ(ValidUtf8("\xf4\x90\x80\x80"), "????");  // above U+10FFFF
  EXPECT_EQ(ValidUtf8("x\xf0\x9f\x98"), "x???");     // cut at the end
  EXPECT_EQ(ValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

// ---- Shutdown ------------------------------------------------------------------------------

TEST_F(RasGrpcServiceTest, ShutdownWithWatchersIsPrompt) {
  opts_.shutdown_ms = 20000;  // far longer than the test allows: cancelling must do it
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto client = QueryClient();
  auto admin = AdminClient();
  ASSERT_TRUE(client && admin);
  Watcher on_query(client.get(), "");
  Watcher on_admin(admin.get(), "accel0");
  ASSERT_TRUE(backend_.WaitForSubscribers(2, 5000));
  const auto t0 = Clock::now();
  server_->Shutdown();
  EXPECT_LT(ElapsedMs(t0), 2000);
  EXPECT_EQ(on_query.WaitDone(), -ESHUTDOWN);
  EXPECT_EQ(on_admin.WaitDone(), -ESHUTDOWN);
  struct stat st {};
  EXPECT_NE(lstat(opts_.query_socket.c_str(), &st), 0);
  EXPECT_NE(lstat(opts_.admin_socket.c_str(), &st), 0);
  EXPECT_EQ(RasGrpcClient::Connect("unix:" + opts_.query_socket).error(), -ENOENT);
  server_->Shutdown();  // idempotent
}

}  // namespace
}  // namespace accel::ras::testing
