/* SPDX-License-Identifier: MIT */
/*
 * fuse_client.c - an outside C99 program that drives an accel FUSE node with nothing but the
 * uAPI headers and libc, as a program written against the kernel's accel nodes would.
 *
 * Usage: fuse_client NODE   (e.g. $ACCEL_RUNTIME_DIR/dev/accel/accel0; run as root, since the
 * dummy driver's RAS_INJECT is root-only)
 *
 * It checks VERSION, GET_CAP(RAS_FORMATS), RAS_QUERY sized by a first call with size 0
 * (-1/ENOSPC with len set), the KEY_VAL_32 payload read back with pread(2) at offset 0, and a
 * RAS event injected on the device: poll(2) reports POLLIN and RAS_EVENT_READ returns it.
 * Prints one line per check; exits 0 only when every check passed.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <unistd.h>

#define INJECT_COUNT 3u
#define POLL_TIMEOUT_MS 5000

static int failures;

static void check(int ok, const char* what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) ++failures;
}

static void check_version(int fd) {
  struct accel_version v;
  memset(&v, 0, sizeof(v));
  int rc = ioctl(fd, ACCEL_IOCTL_VERSION, &v);
  check(rc == 0, "VERSION returns 0");
  check(strcmp(v.name, "dummy") == 0, "VERSION names the dummy driver");
}

static void check_cap(int fd) {
  struct accel_get_cap cap;
  memset(&cap, 0, sizeof(cap));
  cap.capability = ACCEL_CAP_RAS_FORMATS;
  int rc = ioctl(fd, ACCEL_IOCTL_GET_CAP, &cap);
  check(rc == 0, "GET_CAP(RAS_FORMATS) returns 0");
  check((cap.value & ACCEL_CAP_RAS_KEY_VAL_32) != 0, "the device encodes KEY_VAL_32");
}

/* The length KEY_VAL_32 needs, asked the documented way: size 0 fails with ENOSPC + len. */
static uint32_t ras_len(int fd) {
  struct accel_ras_query q;
  memset(&q, 0, sizeof(q));
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  int rc = ioctl(fd, ACCEL_IOCTL_RAS_QUERY, &q);
  check(rc == -1 && errno == ENOSPC, "RAS_QUERY with size 0 fails with ENOSPC");
  check(q.len > 0 && q.len % sizeof(struct accel_ras_kv32) == 0, "ENOSPC comes with len set");
  return q.len;
}

/* The volatile hbm0/corrected counter, or -1. Over a node the payload is staged in the open
 * file: the ioctl returns its length and pread(2) at offset 0 fetches it. */
static long hbm0_corrected(int fd, uint32_t len) {
  if (len == 0) return -1;
  struct accel_ras_kv32* kv = calloc(len / sizeof(*kv), sizeof(*kv));
  struct accel_ras_query q;
  long value = -1;
  memset(&q, 0, sizeof(q));
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  q.ptr = (uint64_t)(uintptr_t)kv;
  q.size = len;
  int rc = ioctl(fd, ACCEL_IOCTL_RAS_QUERY, &q);
  check(rc > 0 && (uint32_t)rc == q.len, "RAS_QUERY returns the staged length");
  ssize_t n = rc > 0 ? pread(fd, kv, (size_t)rc, 0) : -1;
  check(n == rc, "pread at offset 0 returns the whole payload");
  const uint32_t key = ACCEL_RAS_KV32_KEY(ACCEL_DUMMY_COMPONENT_HBM0, ACCEL_RAS_SEV_CORRECTED,
                                          ACCEL_RAS_CTR_VOLATILE);
  for (ssize_t i = 0; n > 0 && i < n / (ssize_t)sizeof(*kv); ++i) {
    if (kv[i].key == key) value = kv[i].value;
  }
  check(value >= 0, "the payload holds hbm0/corrected/volatile");
  free(kv);
  return value;
}

static void inject(int fd) {
  struct accel_dummy_ras_inject inj;
  memset(&inj, 0, sizeof(inj));
  inj.component = ACCEL_DUMMY_COMPONENT_HBM0;
  inj.severity = ACCEL_RAS_SEV_CORRECTED;
  inj.count = INJECT_COUNT;
  check(ioctl(fd, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj) == 0, "RAS_INJECT (root) returns 0");
}

/* The event just injected is queued on this file too: poll says so, the ioctl returns it. */
static void read_event(int fd) {
  struct pollfd p;
  p.fd = fd;
  p.events = POLLIN;
  p.revents = 0;
  int rc = poll(&p, 1, POLL_TIMEOUT_MS);
  check(rc == 1 && (p.revents & POLLIN), "poll reports POLLIN for the event");
  struct accel_ras_event ev;
  memset(&ev, 0, sizeof(ev));
  rc = ioctl(fd, ACCEL_IOCTL_RAS_EVENT_READ, &ev);
  check(rc == 0, "RAS_EVENT_READ returns 0");
  check(ev.component == ACCEL_DUMMY_COMPONENT_HBM0 && ev.severity == ACCEL_RAS_SEV_CORRECTED &&
            ev.count == INJECT_COUNT,
        "the event is the injected one");
  check(strcmp(ev.component_name, "hbm0") == 0, "the event names its component");
  rc = ioctl(fd, ACCEL_IOCTL_RAS_EVENT_READ, &ev);
  check(rc == -1 && errno == EAGAIN, "a second RAS_EVENT_READ fails with EAGAIN");
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s NODE\n", argv[0]);
    return 2;
  }
  int fd = open(argv[1], O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "FAIL open %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  check_version(fd);
  check_cap(fd);
  const uint32_t len = ras_len(fd);
  const long before = hbm0_corrected(fd, len);
  inject(fd);
  read_event(fd);
  const long after = hbm0_corrected(fd, len);
  check(after == before + (long)INJECT_COUNT, "the counter rose by the injected count");
  check(close(fd) == 0, "close returns 0");
  printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
