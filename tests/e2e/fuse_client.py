#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fuse_client.py - an outside Python program driving an accel FUSE node with the standard
library only (fcntl.ioctl on a mutable bytearray, os.pread, select.poll, struct, and ctypes
for one buffer address): the ioctl numbers and struct layouts below are written out from
include/uapi/accel/{accel,dummy}.h, as a program that cannot use the C headers would.

Usage: fuse_client.py NODE   (run as root: the dummy driver's RAS_INJECT is root-only)

Same checks as fuse_client.c; prints one line per check and exits 0 only if all passed.
"""
import ctypes
import errno
import fcntl
import os
import select
import struct
import sys

# _IOC() of <linux/ioctl.h> on the common architectures (x86, arm, riscv).
_IOC_WRITE, _IOC_READ = 1, 2


def _ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (ord("d") << 8) | nr


VERSION = struct.Struct("=4I32s16s128s")
GET_CAP = struct.Struct("=QQ")
RAS_QUERY = struct.Struct("=IIQIIII")
KV32 = struct.Struct("=II")
RAS_EVENT = struct.Struct("=QQ6I16s64s")
INJECT = struct.Struct("=4I")

IOCTL_VERSION = _ioc(_IOC_READ, 0xE0, VERSION.size)
IOCTL_GET_CAP = _ioc(_IOC_READ | _IOC_WRITE, 0x0C, GET_CAP.size)
IOCTL_RAS_QUERY = _ioc(_IOC_READ | _IOC_WRITE, 0xE1, RAS_QUERY.size)
IOCTL_RAS_EVENT_READ = _ioc(_IOC_READ, 0xE2, RAS_EVENT.size)
IOCTL_DUMMY_RAS_INJECT = _ioc(_IOC_WRITE, 0x40, INJECT.size)

CAP_RAS_FORMATS = 0x1001
FMT_KEY_VAL_32 = 0
COMPONENT_HBM0, SEV_CORRECTED, CTR_VOLATILE = 0, 0, 0
HBM0_CORRECTED_KEY = (COMPONENT_HBM0 << 24) | (SEV_CORRECTED << 16) | CTR_VOLATILE
INJECT_COUNT = 3
POLL_TIMEOUT_MS = 5000

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def ioctl(fd, cmd, buf):
    """Returns (result, errno). fcntl.ioctl copies a mutable buffer of up to 1024 bytes back
    even when the call fails, so an error that carries data (ENOSPC + len) keeps it."""
    try:
        return fcntl.ioctl(fd, cmd, buf, True), 0
    except OSError as e:
        return -1, e.errno


def cstr(raw):
    return raw.split(b"\0", 1)[0].decode()


def check_version(fd):
    buf = bytearray(VERSION.size)
    rc, _ = ioctl(fd, IOCTL_VERSION, buf)
    check(rc == 0, "VERSION returns 0")
    check(cstr(VERSION.unpack(buf)[4]) == "dummy", "VERSION names the dummy driver")


def check_cap(fd):
    buf = bytearray(GET_CAP.pack(CAP_RAS_FORMATS, 0))
    rc, _ = ioctl(fd, IOCTL_GET_CAP, buf)
    check(rc == 0, "GET_CAP(RAS_FORMATS) returns 0")
    check(GET_CAP.unpack(buf)[1] & (1 << FMT_KEY_VAL_32), "the device encodes KEY_VAL_32")


def ras_len(fd):
    buf = bytearray(RAS_QUERY.pack(FMT_KEY_VAL_32, 0, 0, 0, 0, 0, 0))
    rc, err = ioctl(fd, IOCTL_RAS_QUERY, buf)
    check(rc == -1 and err == errno.ENOSPC, "RAS_QUERY with size 0 fails with ENOSPC")
    length = RAS_QUERY.unpack(buf)[4]
    check(length > 0 and length % KV32.size == 0, "ENOSPC comes with len set")
    return length


def hbm0_corrected(fd, length):
    """The volatile hbm0/corrected counter, or None. Over a node the ioctl returns the number
    of staged bytes and pread at offset 0 fetches them. The query still names a real buffer,
    as the uAPI asks (a NULL one is EFAULT), though over FUSE nothing is written to it."""
    dest = ctypes.create_string_buffer(length)
    buf = bytearray(RAS_QUERY.pack(FMT_KEY_VAL_32, 0, ctypes.addressof(dest), length, 0, 0, 0))
    rc, _ = ioctl(fd, IOCTL_RAS_QUERY, buf)
    check(rc > 0 and rc == RAS_QUERY.unpack(buf)[4], "RAS_QUERY returns the staged length")
    payload = os.pread(fd, rc, 0) if rc > 0 else b""
    check(len(payload) == rc, "pread at offset 0 returns the whole payload")
    pairs = dict(KV32.iter_unpack(payload[: len(payload) // KV32.size * KV32.size]))
    value = pairs.get(HBM0_CORRECTED_KEY)
    check(value is not None, "the payload holds hbm0/corrected/volatile")
    return value


def inject(fd):
    buf = bytearray(INJECT.pack(COMPONENT_HBM0, SEV_CORRECTED, INJECT_COUNT, 0))
    check(ioctl(fd, IOCTL_DUMMY_RAS_INJECT, buf)[0] == 0, "RAS_INJECT (root) returns 0")


def read_event(fd):
    p = select.poll()
    p.register(fd, select.POLLIN)
    ready = p.poll(POLL_TIMEOUT_MS)
    check(len(ready) == 1 and ready[0][1] & select.POLLIN, "poll reports POLLIN for the event")
    buf = bytearray(RAS_EVENT.size)
    rc, _ = ioctl(fd, IOCTL_RAS_EVENT_READ, buf)
    check(rc == 0, "RAS_EVENT_READ returns 0")
    ev = RAS_EVENT.unpack(buf)
    component, severity, count = ev[2], ev[3], ev[5]
    check((component, severity, count) == (COMPONENT_HBM0, SEV_CORRECTED, INJECT_COUNT),
          "the event is the injected one")
    check(cstr(ev[8]) == "hbm0", "the event names its component")
    rc, err = ioctl(fd, IOCTL_RAS_EVENT_READ, bytearray(RAS_EVENT.size))
    check(rc == -1 and err == errno.EAGAIN, "a second RAS_EVENT_READ fails with EAGAIN")


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} NODE", file=sys.stderr)
        return 2
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CLOEXEC)
    try:
        check_version(fd)
        check_cap(fd)
        length = ras_len(fd)
        before = hbm0_corrected(fd, length)
        inject(fd)
        read_event(fd)
        after = hbm0_corrected(fd, length)
        check(None not in (before, after) and after == before + INJECT_COUNT,
              "the counter rose by the injected count")
    finally:
        os.close(fd)
    print(f"{failures} failure(s)")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
