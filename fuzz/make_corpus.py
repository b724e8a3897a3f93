#!/usr/bin/env python3
"""make_corpus.py - writes the seed corpora under fuzz/corpus/ (run from anywhere).

Seeds are a handful of valid inputs per target, built from the layouts in
docs/wire-protocol.md and include/uapi/accel/*.h, so the fuzzers start past the "is this even
a frame / a real command" stage. Files are named seed-*; crash reproducers added later are
named crash-<what>-* and are not touched by this script. Native byte order is little-endian
on every machine accel builds for (x86-64, arm64).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

MAGIC = 0x50574341
REPLY = 0x8000
OP_HELLO, OP_OPEN, OP_IOCTL, OP_LIST, OP_LOAD, OP_UNLOAD, OP_DRIVERS = range(1, 8)


def ioc(direction, nr, size, typ=ord("d")):
    return (direction << 30) | (size << 16) | (typ << 8) | nr


IOC_NONE, IOC_WRITE, IOC_READ = 0, 1, 2
GET_CAP = ioc(IOC_READ | IOC_WRITE, 0x0C, 16)
VERSION = ioc(IOC_READ, 0xE0, 192)
RAS_QUERY = ioc(IOC_READ | IOC_WRITE, 0xE1, 32)
RAS_INJECT = ioc(IOC_WRITE, 0x40, 16)
WAIT_EVENT = ioc(IOC_READ | IOC_WRITE, 0x41, 16)
DRM_VERSION = ioc(IOC_READ | IOC_WRITE, 0x00, 64)


def frame(op, seq, payload=b"", status=0, arg=0, version=1):
    return struct.pack("<IHHIiII", MAGIC, version, op, seq, status, arg, len(payload)) + payload


def segment(addr, data):
    pad = (-len(data)) % 8
    return struct.pack("<QII", addr, len(data), 0) + data + b"\0" * pad


def wire_seeds():
    kv32 = b"".join(struct.pack("<II", k, 0) for k in range(4))
    ras_reply = struct.pack("<IIQIIII", 0, 0, 0x7F0000001000, 32, 32, 0, 0)
    record = struct.pack("<8IQ16s32s48s56s", 0, 0o660, 0, 0, 0, 0, 1, 0, 1, b"accel0", b"dummy",
                         b"DUMMY-0000", b"platform:dummy.0")
    frames = {
        "hello": frame(OP_HELLO, 1, struct.pack("<HH", 1, 1)),
        "hello-reply": frame(OP_HELLO | REPLY, 1, struct.pack("<HHI", 1, 0, 65536)),
        "open": frame(OP_OPEN, 2, b"accel0"),
        "ioctl-get-cap": frame(OP_IOCTL, 3, struct.pack("<QQ", 0x1000, 0), arg=GET_CAP),
        "ioctl-reply-segments": frame(OP_IOCTL | REPLY, 4, ras_reply + segment(0x7F0000001000, kv32)
                                      + segment(0x7F0000002000, b"abc"), arg=RAS_QUERY),
        "ioctl-reply-enospc": frame(OP_IOCTL | REPLY, 5, ras_reply, status=-28, arg=RAS_QUERY),
        "list-reply": frame(OP_LIST | REPLY, 6, struct.pack("<II", 1, 0) + record),
        "load": frame(OP_LOAD, 7, b"dummy\0count=2\0"),
        "unload-force": frame(OP_UNLOAD, 8, b"dummy", arg=1),
        "malformed-reply": frame(REPLY, 9, status=-74),
        "short": frame(OP_HELLO, 10)[:20],
        "length-lies": frame(OP_OPEN, 11, b"accel0")[:-2],
    }
    out = {}
    for name, f in frames.items():
        out["seed-" + name] = b"\0" + f
    out["seed-truncated-hello"] = b"\x01" + frames["hello"]
    return out


def dispatch_seed(cmd, arg, root=True, user_file=False, mode=None):
    """Layout of dispatch_fuzz.cc: W, selector byte, struct. Known commands use their mode
    with W = 0; anything else goes in raw (mode 6)."""
    known = [GET_CAP, VERSION, RAS_QUERY, RAS_INJECT, WAIT_EVENT]
    if mode is None:
        mode = known.index(cmd) if cmd in known else 6
    w = 0 if mode < 5 else cmd
    sel = (1 if root else 0) | (2 if user_file else 0) | (mode << 2)
    return struct.pack("<IB", w, sel) + arg


def dispatch_seeds():
    ras = lambda size, ptr, fmt=0, flags=0: struct.pack("<IIQIIII", fmt, flags, ptr, size, 0, 0, 0)
    return {
        "seed-get-cap-uapi": dispatch_seed(GET_CAP, struct.pack("<QQ", 0x1000, 0)),
        "seed-get-cap-minor-user": dispatch_seed(GET_CAP, struct.pack("<QQ", 0x1003, 0), root=False),
        "seed-version": dispatch_seed(VERSION, b""),
        "seed-ras-query": dispatch_seed(RAS_QUERY, ras(256, 0x10000)),
        "seed-ras-query-size": dispatch_seed(RAS_QUERY, ras(0, 0), root=False, user_file=True),
        "seed-ras-inject": dispatch_seed(RAS_INJECT, struct.pack("<IIII", 1, 2, 3, 0)),
        "seed-ras-inject-user": dispatch_seed(RAS_INJECT, struct.pack("<IIII", 0, 0, 1, 0), root=False),
        "seed-wait-event": dispatch_seed(WAIT_EVENT, struct.pack("<QII", 0, 0, 0), root=False),
        "seed-wait-event-grown": dispatch_seed(ioc(IOC_READ | IOC_WRITE, 0x41, 24),
                                               struct.pack("<QIIQ", 0, 0, 0, 0), mode=5),
        "seed-unknown-nr": dispatch_seed(ioc(IOC_READ | IOC_WRITE, 0x50, 8), b"\0" * 8),
        # DRM's VERSION (struct drm_version on LP64): libdrm's two calls, lengths then buffers.
        "seed-drm-version-lengths": dispatch_seed(DRM_VERSION, b"\0" * 64, mode=5),
        "seed-drm-version-buffers": dispatch_seed(
            DRM_VERSION, struct.pack("<iiiI6Q", 0, 0, 0, 0, 3, 0x10000, 8, 0x20000, 64, 0x30000),
            root=False, mode=5),
    }


def main():
    for target, seeds in (("wire_frame_fuzz", wire_seeds()), ("dispatch_fuzz", dispatch_seeds())):
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
