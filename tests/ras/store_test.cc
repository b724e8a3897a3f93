// Tests of the SQLite RAS store (src/ras/store): what is written comes back (u64 above 2^63
// included), filters and retention, tickets and failed commits, many threads at once, and
// acknowledged events surviving kill -9. The sqlite3 CLI reads the file as an outsider would.
#include "ras/store/ras_store.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ras/store/store_paths.h"
#include "sample_snapshot.h"

namespace accel::ras {
namespace {

constexpr uint64_t kBig = (1ULL << 63) + 12345;  // above INT64_MAX: the bit pattern is negative
constexpr uint64_t kHourNs = 3600ULL * 1000000000ULL;

uint64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

StoreOptions KeepEverything() {
  StoreOptions o;
  o.max_events = 0;
  o.max_age_ns = 0;  // sample snapshots are dated 2025: the default 90 days would drop them
  return o;
}

DeviceIdentity Dev(const std::string& name, const std::string& serial) {
  return DeviceIdentity{name, "dummy", serial, "platform:dummy.0", 7};
}

Event MakeEvent(uint64_t seqno, uint64_t ts, uint32_t severity = 0) {
  Event e;
  e.seqno = seqno;
  e.timestamp_ns = ts;
  e.severity = severity;
  e.code = 0x100 + static_cast<uint32_t>(seqno % 7);
  e.count = 1;
  e.message = "event " + std::to_string(seqno);
  return e;
}

// What Events() gives back for an appended event: the component travels by name, the device
// row holds name, driver and serial only.
EventRecord Expected(const DeviceIdentity& d, const std::string& component, Event e) {
  e.component = 0;
  return EventRecord{DeviceIdentity{d.name, d.driver, d.serial, "", 0}, component, e};
}

void ExpectSameRecords(const std::vector<EventRecord>& got, const std::vector<EventRecord>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].device, want[i].device) << i;
    EXPECT_EQ(got[i].component_name, want[i].component_name) << i;
    EXPECT_EQ(got[i].event, want[i].event) << i;
  }
}

std::vector<uint64_t> Seqnos(const std::vector<EventRecord>& v) {
  std::vector<uint64_t> out;
  for (const auto& r : v) out.push_back(r.event.seqno);
  return out;
}

// Another connection holding the write lock, as a second writer would.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void Release() {
    if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  ~WriteLockHolder() { Release(); }

 private:
  sqlite3* db_ = nullptr;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ras-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/ras.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<RasStore> OpenStore(const StoreOptions& o = KeepEverything()) {
    Result<std::unique_ptr<RasStore>> s = RasStore::Open(path_, o);
    EXPECT_TRUE(s.ok()) << (s.ok() ? 0 : s.error());
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Runs the sqlite3 CLI on the database; its standard output.
  std::string Sqlite3(const std::string& sql) {
    const std::string cmd =
        std::string(ACCEL_SQLITE3) + " -batch -noheader '" + path_ + "' \"" + sql + "\"";
    FILE* p = popen(cmd.c_str(), "r");
    EXPECT_NE(p, nullptr);
    if (p == nullptr) return {};
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    EXPECT_EQ(pclose(p), 0) << cmd;
    return out;
  }

  std::string dir_, path_;
};

TEST_F(StoreTest, SampleEventsRoundTripIncludingU64AboveTwoTo63) {
  testing::SampleShape shape;
  shape.components = 5;
  shape.events = 200;
  Snapshot snap = testing::MakeSampleSnapshot(shape);
  snap.events[0].address = kBig;                      // address above 2^63
  snap.events[1].address = ~0ULL;                     // and the largest u64
  snap.events[2].seqno = snap.events[3].seqno = 150;  // seqnos are data, not keys
  snap.events.back().raw.assign(kMaxRawLen, 0xa5);    // the largest blob
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::vector<EventRecord> want;
  uint64_t last = 0;
  for (size_t i = 0; i < snap.events.size(); ++i) {
    const Event& e = snap.events[i];
    const std::string& comp = snap.components[e.component].name;
    const uint64_t t = store->Append(snap.device, comp, e, kBig + i);
    EXPECT_GT(t, last);  // tickets are monotonic
    last = t;
    want.push_back(Expected(snap.device, comp, e));
  }
  ASSERT_TRUE(store->WaitDurable(last, 10000).ok());
  LogQuery all;
  all.limit = 100000;
  Result<std::vector<EventRecord>> got = store->Events(all);
  ASSERT_TRUE(got.ok());
  ExpectSameRecords(*got, want);
  EXPECT_EQ((*got)[0].event.address, kBig);
  EXPECT_EQ((*got)[1].event.address, ~0ULL);
  EXPECT_EQ((*got).back().event.raw.size(), kMaxRawLen);

  // The same after the process lets go of the file.
  store.reset();
  store = OpenStore();
  got = store->Events(all);
  ASSERT_TRUE(got.ok());
  ExpectSameRecords(*got, want);
  Result<PersistedState> st = store->Load(snap.device.driver, snap.device.serial);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->last_seqno, 299u);  // sample seqnos are 100..299
  // Every aggregate is the value appended last for its (component, severity).
  std::map<std::pair<std::string, uint32_t>, uint64_t> agg;
  for (size_t i = 0; i < snap.events.size(); ++i)
    agg[{snap.components[snap.events[i].component].name, snap.events[i].severity}] = kBig + i;
  ASSERT_EQ(st->aggregates.size(), agg.size());
  for (const auto& a : st->aggregates)
    EXPECT_EQ(a.count, (agg[{a.component, a.severity}])) << a.component;
}

TEST_F(StoreTest, AggregatesAreUpsertedPerDeviceComponentAndSeverity) {
  auto store = OpenStore();
  const DeviceIdentity a = Dev("accel0", "SER-A"), b = Dev("accel1", "SER-B");
  uint64_t t = 0;
  for (uint64_t i = 1; i <= 3; ++i) t = store->Append(a, "hbm0", MakeEvent(i, 1000 + i, 2), i);
  t = store->Append(a, "hbm0", MakeEvent(4, 1004, 0), kBig);  // another severity
  t = store->Append(a, "sram", MakeEvent(5, 1005, 2), 9);
  t = store->Append(b, "hbm0", MakeEvent(1, 1006, 2), 77);  // another device, same names
  ASSERT_TRUE(store->WaitDurable(t, 10000).ok());

  Result<PersistedState> sa = store->Load("dummy", "SER-A");
  ASSERT_TRUE(sa.ok());
  ASSERT_EQ(sa->aggregates.size(), 3u);  // sorted by component, severity
  EXPECT_EQ(sa->aggregates[0].component, "hbm0");
  EXPECT_EQ(sa->aggregates[0].severity, 0u);
  EXPECT_EQ(sa->aggregates[0].count, kBig);
  EXPECT_EQ(sa->aggregates[1].component, "hbm0");
  EXPECT_EQ(sa->aggregates[1].severity, 2u);
  EXPECT_EQ(sa->aggregates[1].count, 3u);  // absolute, not summed
  EXPECT_EQ(sa->aggregates[2].component, "sram");
  EXPECT_EQ(sa->aggregates[2].count, 9u);
  EXPECT_EQ(sa->last_seqno, 5u);
  Result<PersistedState> sb = store->Load("dummy", "SER-B");
  ASSERT_TRUE(sb.ok());
  ASSERT_EQ(sb->aggregates.size(), 1u);
  EXPECT_EQ(sb->aggregates[0].count, 77u);
  EXPECT_EQ(sb->last_seqno, 1u);
  // Same serial under another driver is another device; an unknown one has nothing.
  Result<PersistedState> other = store->Load("otherdrv", "SER-A");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->aggregates.empty());
  EXPECT_EQ(other->last_seqno, 0u);
}

TEST_F(StoreTest, PagesAreUpsertedByAddressAndLoadedInU64Order) {
  auto store = OpenStore();
  const DeviceIdentity d = Dev("accel0", "SER-P");
  const RetiredPage high{kBig & ~0xfffULL, 2, PageState::kPending, 10};
  const RetiredPage low{0x200000, 0, PageState::kPending, 11};
  store->PutPage(d, high);
  store->PutPage(d, low);
  const RetiredPage low_retired{0x200000, 3, PageState::kRetired, 12};
  const uint64_t t = store->PutPage(d, low_retired);
  ASSERT_TRUE(store->WaitDurable(t, 10000).ok());
  Result<PersistedState> st = store->Load("dummy", "SER-P");
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->pages.size(), 2u);
  EXPECT_EQ(st->pages[0], low_retired);  // pending -> retired, one row per address
  EXPECT_EQ(st->pages[1], high);         // 2^63+ sorts last, as a u64
  EXPECT_TRUE(st->aggregates.empty());
}

TEST_F(StoreTest, LogQueryFiltersByTimeDeviceAndSeverityAndKeepsTheNewest) {
  auto store = OpenStore();
  const DeviceIdentity a = Dev("accel0", "SER-A"), b = Dev("accel1", "SER-B");
  uint64_t t = 0;
  for (uint64_t i = 0; i < 10; ++i) {
    t = store->Append(i % 2 == 0 ? a : b, "hbm0", MakeEvent(i, 1000 + i, i % 3), i);
  }
  // Timestamps on both sides of 2^63.
  t = store->Append(a, "hbm0", MakeEvent(20, (1ULL << 63) - 1), 1);
  t = store->Append(a, "hbm0", MakeEvent(21, 1ULL << 63), 2);
  t = store->Append(a, "hbm0", MakeEvent(22, kBig), 3);
  ASSERT_TRUE(store->WaitDurable(t, 10000).ok());
  auto query = [&](LogQuery q) {
    Result<std::vector<EventRecord>> r = store->Events(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? Seqnos(*r) : std::vector<uint64_t>{};
  };
  using V = std::vector<uint64_t>;
  LogQuery q;
  EXPECT_EQ(query(q), (V{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22}));
  q.since_ns = 1003;  // inclusive
  q.until_ns = 1007;  // exclusive
  EXPECT_EQ(query(q), (V{3, 4, 5, 6}));
  q.device = "accel1";  // by name
  EXPECT_EQ(query(q), (V{3, 5}));
  q.device = "SER-A";  // by serial
  EXPECT_EQ(query(q), (V{4, 6}));
  q.severity = 1;  // seqnos 1, 4, 7
  EXPECT_EQ(query(q), (V{4}));
  q = LogQuery{};
  q.limit = 3;  // the newest three, oldest first
  EXPECT_EQ(query(q), (V{20, 21, 22}));
  q.device = "accel1";
  q.limit = 2;
  EXPECT_EQ(query(q), (V{7, 9}));
  q = LogQuery{};
  q.since_ns = (1ULL << 63) - 1;  // a window across 2^63, compared as u64
  q.until_ns = kBig;
  EXPECT_EQ(query(q), (V{20, 21}));
  q.since_ns = 1ULL << 63;  // above it only
  q.until_ns.reset();
  EXPECT_EQ(query(q), (V{21, 22}));
  q = LogQuery{};
  q.until_ns = 1002;
  EXPECT_EQ(query(q), (V{0, 1}));
  q.until_ns = 0;  // empty windows, unknown devices, limit 0: nothing
  EXPECT_EQ(query(q), V{});
  q = LogQuery{};
  q.device = "accel9";
  EXPECT_EQ(query(q), V{});
  q = LogQuery{};
  q.limit = 0;
  EXPECT_EQ(query(q), V{});
}

TEST_F(StoreTest, RenamedDeviceKeepsItsHistoryUnderTheNewName) {
  auto store = OpenStore();
  store->Append(Dev("accel0", "SER-R"), "fw", MakeEvent(1, 1), 1);
  const uint64_t t = store->Append(Dev("accel3", "SER-R"), "fw", MakeEvent(2, 2), 2);
  ASSERT_TRUE(store->WaitDurable(t, 10000).ok());
  LogQuery q;
  q.device = "accel3";
  Result<std::vector<EventRecord>> r = store->Events(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].device.name, "accel3");
  EXPECT_EQ((*r)[0].device.serial, "SER-R");
  EXPECT_EQ((*r)[0].device.driver, "dummy");
  q.device = "accel0";
  r = store->Events(q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(StoreTest, RetentionKeepsTheNewestMaxEvents) {
  StoreOptions o = KeepEverything();
  o.max_events = 10;
  o.retention_every_commits = 1;
  auto store = OpenStore(o);
  const DeviceIdentity d = Dev("accel0", "SER-C");
  for (uint64_t i = 1; i <= 30; ++i)  // one commit each
    ASSERT_TRUE(store->WaitDurable(store->Append(d, "sram", MakeEvent(i, i), i), 10000).ok());
  // Retention runs right after a commit is published: wait for the one after the last.
  LogQuery all;
  all.limit = 1000;
  std::vector<uint64_t> seqnos;
  for (int i = 0; i < 500; ++i) {
    Result<std::vector<EventRecord>> r = store->Events(all);
    ASSERT_TRUE(r.ok());
    seqnos = Seqnos(*r);
    if (seqnos.size() <= 10) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(seqnos, (std::vector<uint64_t>{21, 22, 23, 24, 25, 26, 27, 28, 29, 30}));
  // Aggregates and the highest seqno outlive the rows that moved them.
  Result<PersistedState> st = store->Load("dummy", "SER-C");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->last_seqno, 30u);
  ASSERT_EQ(st->aggregates.size(), 1u);
  EXPECT_EQ(st->aggregates[0].count, 30u);

  // A tighter bound applies as soon as a store opens the file.
  store.reset();
  o.max_events = 4;
  store = OpenStore(o);
  Result<std::vector<EventRecord>> r = store->Events(all);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Seqnos(*r), (std::vector<uint64_t>{27, 28, 29, 30}));
}

TEST_F(StoreTest, RetentionDropsEventsOlderThanMaxAge) {
  const uint64_t now = NowNs();
  auto store = OpenStore();  // no retention while writing
  const DeviceIdentity d = Dev("accel0", "SER-T");
  store->Append(d, "pcie", MakeEvent(1, now - 3 * kHourNs), 1);
  store->Append(d, "pcie", MakeEvent(2, now - 2 * kHourNs), 2);
  store->Append(d, "pcie", MakeEvent(3, now - 1000), 3);
  uint64_t t = store->Append(d, "pcie", MakeEvent(4, kBig), 4);  // far future as a u64
  ASSERT_TRUE(store->WaitDurable(t, 10000).ok());
  store.reset();
  StoreOptions o = KeepEverything();
  o.max_age_ns = kHourNs;
  store = OpenStore(o);  // retention runs at open
  Result<std::vector<EventRecord>> r = store->Events(LogQuery{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Seqnos(*r), (std::vector<uint64_t>{3, 4}));
}

TEST_F(StoreTest, WaitDurableTicketsTimeoutsAndFailedCommits) {
  StoreOptions o = KeepEverything();
  o.busy_timeout_ms = 300;
  auto store = OpenStore(o);
  const DeviceIdentity d = Dev("accel0", "SER-W");
  EXPECT_TRUE(store->WaitDurable(0, 0).ok());            // nothing to wait for
  EXPECT_EQ(store->WaitDurable(1, 0).error(), -EINVAL);  // never issued

  // Another writer holds the lock past busy_timeout: the batch fails, its waiters get -EIO.
  auto lock = std::make_unique<WriteLockHolder>(path_);
  const uint64_t failed = store->Append(d, "hbm0", MakeEvent(1, 1), 1);
  EXPECT_EQ(store->WaitDurable(failed, 20).error(), -ETIME);  // still busy-waiting
  EXPECT_EQ(store->WaitDurable(failed, 10000).error(), -EIO);
  lock.reset();
  // The writer carries on with the next batch.
  const uint64_t ok = store->Append(d, "hbm0", MakeEvent(2, 2), 2);
  EXPECT_GT(ok, failed);
  EXPECT_TRUE(store->WaitDurable(ok, 10000).ok());
  EXPECT_EQ(store->WaitDurable(failed, 0).error(), -EIO);  // still reported
  Result<std::vector<EventRecord>> r = store->Events(LogQuery{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Seqnos(*r), std::vector<uint64_t>{2});
  Result<PersistedState> st = store->Load("dummy", "SER-W");
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->aggregates.size(), 1u);
  EXPECT_EQ(st->aggregates[0].count, 2u);
  EXPECT_EQ(st->last_seqno, 2u);
}

TEST_F(StoreTest, FullQueueRefusesTicketsAndTheRestCommit) {
  StoreOptions o = KeepEverything();
  o.busy_timeout_ms = 10000;
  o.max_queued = 4;
  auto store = OpenStore(o);
  const DeviceIdentity d = Dev("accel0", "SER-Q");
  auto lock = std::make_unique<WriteLockHolder>(path_);  // the writer stalls in its first batch
  std::vector<uint64_t> tickets;
  for (uint64_t i = 1; i <= 20; ++i) tickets.push_back(store->Append(d, "fw", MakeEvent(i, i), i));
  std::vector<uint64_t> refused;
  for (uint64_t t : tickets)
    if (store->WaitDurable(t, 0).error() == -ENOBUFS) refused.push_back(t);
  // At most 4 queued plus the batch the writer holds (taken from a queue of at most 4).
  EXPECT_GE(refused.size(), 12u);
  lock.reset();
  size_t committed = 0;
  for (uint64_t t : tickets) {
    Result<void> w = store->WaitDurable(t, 20000);
    if (w.ok()) {
      ++committed;
    } else {
      EXPECT_EQ(w.error(), -ENOBUFS);
    }
  }
  EXPECT_EQ(committed + refused.size(), tickets.size());
  Result<std::vector<EventRecord>> r = store->Events(LogQuery{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), committed);
}

TEST_F(StoreTest, CloseDrainsIsIdempotentAndRefusesLaterWrites) {
  auto store = OpenStore();
  const DeviceIdentity d = Dev("accel0", "SER-X");
  uint64_t t = 0;
  for (uint64_t i = 1; i <= 1000; ++i) t = store->Append(d, "compute", MakeEvent(i, i), i);
  store->Close();  // commits what is queued
  EXPECT_TRUE(store->WaitDurable(t, 0).ok());
  store->Close();
  const uint64_t late = store->Append(d, "compute", MakeEvent(1001, 1001), 1001);
  EXPECT_EQ(store->WaitDurable(late, 1000).error(), -ESHUTDOWN);
  EXPECT_EQ(store->Load("dummy", "SER-X").error(), -ESHUTDOWN);
  EXPECT_EQ(store->Events(LogQuery{}).error(), -ESHUTDOWN);
  store = OpenStore();
  LogQuery all;
  all.limit = 5000;
  Result<std::vector<EventRecord>> r = store->Events(all);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1000u);
}

TEST_F(StoreTest, ManyThreadsAppendWhileOthersRead) {
  StoreOptions o = KeepEverything();
  o.max_batch = 64;  // many batches
  auto store = OpenStore(o);
  constexpr int kWriters = 4;
  constexpr uint64_t kPerWriter = 400;
  std::vector<std::vector<uint64_t>> tickets(kWriters);
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const DeviceIdentity d = Dev("accel" + std::to_string(w), "SER-" + std::to_string(w));
      for (uint64_t i = 1; i <= kPerWriter; ++i) {
        tickets[w].push_back(store->Append(d, "hbm0", MakeEvent(i, i), i));
        if (i % 50 == 0) {
          EXPECT_TRUE(store->WaitDurable(tickets[w].back(), 20000).ok());
        }
      }
    });
  }
  std::thread reader([&] {
    while (writing) {
      EXPECT_TRUE(store->Events(LogQuery{}).ok());
      EXPECT_TRUE(store->Load("dummy", "SER-0").ok());
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  reader.join();

  std::set<uint64_t> all;
  for (const auto& v : tickets) {
    for (size_t i = 1; i < v.size(); ++i) EXPECT_GT(v[i], v[i - 1]);
    all.insert(v.begin(), v.end());
    EXPECT_TRUE(store->WaitDurable(v.back(), 20000).ok());
  }
  EXPECT_EQ(all.size(), kWriters * kPerWriter);  // no ticket issued twice
  for (int w = 0; w < kWriters; ++w) {
    LogQuery q;
    q.device = "accel" + std::to_string(w);
    Result<std::vector<EventRecord>> r = store->Events(q);
    ASSERT_TRUE(r.ok());
    std::vector<uint64_t> want;
    for (uint64_t i = 1; i <= kPerWriter; ++i) want.push_back(i);
    EXPECT_EQ(Seqnos(*r), want);  // each writer's events in its own order
    Result<PersistedState> st = store->Load("dummy", "SER-" + std::to_string(w));
    ASSERT_TRUE(st.ok());
    ASSERT_EQ(st->aggregates.size(), 1u);
    EXPECT_EQ(st->aggregates[0].count, kPerWriter);
    EXPECT_EQ(st->last_seqno, kPerWriter);
  }
}

// ---- kill -9 ----

// The child: continues the device's seqnos from the file, appends without end, and after
// every 40th event waits for it to be durable and writes "acked <seqno>" to `fd`.
[[noreturn]] void AppendUntilKilled(const std::string& path, int fd) {
  Result<std::unique_ptr<RasStore>> s = RasStore::Open(path, KeepEverything());
  if (!s) _exit(2);
  Result<PersistedState> st = (*s)->Load("dummy", "SER-K");
  if (!st) _exit(3);
  const DeviceIdentity d = Dev("accel0", "SER-K");
  for (uint64_t seq = st->last_seqno + 1;; ++seq) {
    Event e = MakeEvent(seq, 1000 + seq, 2);
    e.address = kBig + seq;
    const uint64_t t = (*s)->Append(d, "hbm0", e, seq);  // aggregate = seqno
    if (seq % 40 != 0) continue;
    if (!(*s)->WaitDurable(t, 30000)) _exit(4);
    char line[64];
    const int n =
        std::snprintf(line, sizeof(line), "acked %llu\n", static_cast<unsigned long long>(seq));
    if (write(fd, line, static_cast<size_t>(n)) != n) _exit(5);
  }
}

// Reads "acked N" lines until `lines` were seen (or the child stops talking); the last N.
uint64_t ReadAcks(int fd, int lines) {
  std::string buf;
  uint64_t acked = 0;
  while (lines > 0) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 30000) != 1) return acked;
    char chunk[256];
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return acked;
    buf.append(chunk, static_cast<size_t>(n));
    for (size_t nl; lines > 0 && (nl = buf.find('\n')) != std::string::npos;) {
      unsigned long long v = 0;
      if (std::sscanf(buf.c_str(), "acked %llu", &v) == 1) acked = v;
      buf.erase(0, nl + 1);
      --lines;
    }
  }
  return acked;
}

TEST_F(StoreTest, AcknowledgedEventsSurviveKill9) {
  uint64_t acked_before = 0;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AppendUntilKilled(path_, fds[1]);
    }
    close(fds[1]);
    const uint64_t acked = ReadAcks(fds[0], 3 + 4 * round);
    close(fds[0]);
    ASSERT_GT(pid, 0);  // never kill(0) or kill(-1)
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child stopped by itself: status " << status;
    ASSERT_GT(acked, acked_before) << "round " << round;

    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    LogQuery all;
    all.limit = 1000000;
    Result<std::vector<EventRecord>> r = store->Events(all);
    ASSERT_TRUE(r.ok());
    // Batches commit in order: what survived is 1..M without a hole, M >= every ack.
    const std::vector<uint64_t> seqnos = Seqnos(*r);
    ASSERT_GE(seqnos.size(), acked) << "round " << round;
    for (size_t i = 0; i < seqnos.size(); ++i) ASSERT_EQ(seqnos[i], i + 1);
    for (const auto& rec : *r) ASSERT_EQ(rec.event.address, kBig + rec.event.seqno);
    // The counter and the log agree: the aggregate came in the same transaction.
    Result<PersistedState> st = store->Load("dummy", "SER-K");
    ASSERT_TRUE(st.ok());
    ASSERT_EQ(st->aggregates.size(), 1u);
    EXPECT_EQ(st->aggregates[0].count, seqnos.size());
    EXPECT_EQ(st->last_seqno, seqnos.size());
    acked_before = seqnos.size();
  }
}

// ---- the file, as others see it ----

TEST_F(StoreTest, TheSqlite3CliReadsWalModeAndOurRows) {
  auto store = OpenStore();
  const DeviceIdentity d = Dev("accel5", "SER-CLI");
  Event e = MakeEvent(1, 5000, 3);
  e.address = kBig;
  store->Append(d, "pcie", e, kBig);
  uint64_t t = 0;
  for (uint64_t i = 2; i <= 42; ++i) t = store->Append(d, "pcie", MakeEvent(i, 5000 + i), i);
  t = store->PutPage(d, RetiredPage{0x7000, 2, PageState::kRetired, 9});
  ASSERT_TRUE(store->WaitDurable(t, 10000).ok());
  // While the store is open: another process reads the committed rows.
  EXPECT_EQ(Sqlite3("PRAGMA journal_mode; SELECT count(*) FROM events"), "wal\n42\n");
  EXPECT_EQ(Sqlite3("SELECT last_name, driver, serial, last_seqno FROM devices"),
            "accel5|dummy|SER-CLI|42\n");
  // u64 above 2^63 are stored as their bit pattern: signed for SQLite.
  EXPECT_EQ(Sqlite3("SELECT address, severity, component FROM events WHERE seqno = 1"),
            std::to_string(static_cast<int64_t>(kBig)) + "|3|pcie\n");
  EXPECT_EQ(Sqlite3("SELECT count(*) FROM events WHERE address IS NULL"), "41\n");
  EXPECT_EQ(Sqlite3("SELECT count FROM aggregates WHERE severity = 0"), "42\n");
  EXPECT_EQ(Sqlite3("SELECT address, cause, state FROM pages"), std::to_string(0x7000) + "|2|1\n");
  EXPECT_EQ(Sqlite3("PRAGMA user_version"), "1\n");
  store.reset();
  EXPECT_EQ(Sqlite3("PRAGMA journal_mode; PRAGMA integrity_check"), "wal\nok\n");
}

TEST_F(StoreTest, OpenCreatesPrivateDirectoriesAndFile) {
  path_ = dir_ + "/a/b/ras.db";
  const mode_t old = umask(0);  // modes must not depend on the umask being kind
  auto store = OpenStore();
  umask(old);
  ASSERT_NE(store, nullptr);
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(stat((dir_ + "/a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(StoreTest, OpenRefusesWhatIsNotItsDatabase) {
  // A path below a regular file.
  ASSERT_EQ(close(open((dir_ + "/file").c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  EXPECT_EQ(RasStore::Open(dir_ + "/file/ras.db").error(), -ENOTDIR);
  // A file that is not SQLite.
  FILE* f = std::fopen(path_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  for (int i = 0; i < 512; ++i) std::fputs("not a database ", f);
  std::fclose(f);
  EXPECT_EQ(RasStore::Open(path_).error(), -EIO);
  std::filesystem::remove(path_);
  // A schema from a newer acceld.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(RasStore::Open(path_).error(), -EPROTO);
}

TEST(StorePathTest, DefaultPathFollowsUidAndXdg) {
  EXPECT_EQ(store::DefaultPathFor(0, "/x", "/home/u"), "/var/lib/accel/ras.db");
  EXPECT_EQ(store::DefaultPathFor(1000, "/x/state", "/home/u"), "/x/state/accel/ras.db");
  EXPECT_EQ(store::DefaultPathFor(1000, nullptr, "/home/u"), "/home/u/.local/state/accel/ras.db");
  EXPECT_EQ(store::DefaultPathFor(1000, "relative", "/home/u"),  // XDG: relative is ignored
            "/home/u/.local/state/accel/ras.db");
  EXPECT_EQ(store::DefaultPathFor(1000, "", nullptr), "");
  const std::string here = RasStore::DefaultPath();
  if (geteuid() == 0) {
    EXPECT_EQ(here, "/var/lib/accel/ras.db");
  } else {
    EXPECT_TRUE(here.ends_with("/accel/ras.db")) << here;
  }
}

}  // namespace
}  // namespace accel::ras

namespace accel::ras {
namespace {

// Issue 12 A8: the synchronous level in force for each commit, as SQLite reports it back.
// Under auto a batch with an uncorrected or fatal event or a retired page is committed with
// FULL (one WAL fsync), everything else with NORMAL; full and normal do as they say.
TEST_F(StoreTest, DurabilityPicksTheSyncLevelPerBatch) {
  struct Case {
    Durability durability;
    uint32_t severity;
    bool page;
    bool full;
  };
  const Case cases[] = {
      {Durability::kAuto, static_cast<uint32_t>(Severity::kCorrected), false, false},
      {Durability::kAuto, static_cast<uint32_t>(Severity::kDeferred), false, false},
      {Durability::kAuto, static_cast<uint32_t>(Severity::kUncorrected), false, true},
      {Durability::kAuto, static_cast<uint32_t>(Severity::kFatal), false, true},
      {Durability::kAuto, 0, true, true},
      {Durability::kNormal, static_cast<uint32_t>(Severity::kFatal), false, false},
      {Durability::kNormal, 0, true, false},
      {Durability::kFull, static_cast<uint32_t>(Severity::kCorrected), false, true},
  };
  for (const Case& c : cases) {
    StoreOptions o = KeepEverything();
    o.durability = c.durability;
    std::unique_ptr<RasStore> s = OpenStore(o);
    ASSERT_TRUE(s);
    const DeviceIdentity d = Dev("accel0", "S1");
    // One corrected event first, on its own batch: under auto it is NORMAL.
    ASSERT_TRUE(s->WaitDurable(s->Append(d, "hbm0", MakeEvent(1, 1), 1), 5000).ok());
    const StoreStats before = s->Stats();
    uint64_t t;
    if (c.page) {
      RetiredPage p;
      p.address = 0x1000;
      t = s->PutPage(d, p);
    } else {
      t = s->Append(d, "hbm0", MakeEvent(2, 2, c.severity), 1);
    }
    ASSERT_TRUE(s->WaitDurable(t, 5000).ok());
    const StoreStats after = s->Stats();
    const std::string what = std::string(DurabilityName(c.durability)) + " severity " +
                             std::to_string(c.severity) + (c.page ? " page" : "");
    EXPECT_EQ(after.commits_full - before.commits_full, c.full ? 1u : 0u) << what;
    EXPECT_EQ(after.commits_normal - before.commits_normal, c.full ? 0u : 1u) << what;
    EXPECT_EQ(after.events_queued, c.page ? 1u : 2u) << what;
    EXPECT_EQ(after.events_committed, after.events_queued) << what;
    s->Close();
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + "-wal");
    std::filesystem::remove(path_ + "-shm");
  }
  EXPECT_EQ(ParseDurability("auto").value(), Durability::kAuto);
  EXPECT_EQ(ParseDurability("FULL").error(), -EINVAL);
}

// What reporters were told (queued) against what is committed, and the listener that tells the
// RAS service when a batch has settled, so that watchers see only committed events.
TEST_F(StoreTest, QueuedAgainstCommittedAndTheSettledListener) {
  StoreOptions o = KeepEverything();
  o.busy_timeout_ms = 100;
  std::unique_ptr<RasStore> s = OpenStore(o);
  ASSERT_TRUE(s);
  std::atomic<uint64_t> settled{0};
  s->SetSettledListener([&](uint64_t t) { settled = t; });
  const DeviceIdentity d = Dev("accel0", "S1");
  const uint64_t t1 = s->Append(d, "hbm0", MakeEvent(1, 1), 1);
  ASSERT_TRUE(s->WaitDurable(t1, 5000).ok());
  EXPECT_EQ(settled.load(), t1);
  {
    WriteLockHolder lock(path_);  // the next batch cannot commit
    const uint64_t t2 = s->Append(d, "hbm0", MakeEvent(2, 2), 2);
    EXPECT_EQ(s->WaitDurable(t2, 5000).error(), -EIO);
    EXPECT_EQ(settled.load(), t2);  // settled, though failed
  }
  const StoreStats st = s->Stats();
  EXPECT_EQ(st.events_queued, 2u);
  EXPECT_EQ(st.events_committed, 1u);
  EXPECT_EQ(st.events_failed, 1u);
}

}  // namespace
}  // namespace accel::ras
