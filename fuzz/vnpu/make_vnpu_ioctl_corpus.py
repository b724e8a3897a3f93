#!/usr/bin/env python3
"""Writes the seed corpus of vnpu_ioctl_fuzz (fuzz/corpus/vnpu_ioctl_fuzz/).

Each seed is a sequence of calls as vnpu_ioctl_fuzz.cc reads them: a command index, a flags
byte (bit 0 root, bit 1 raw, bits 2..3 size mode) and the struct's bytes behind a length byte.
Handles, queues, rings and fences are written as indices into what earlier replies gave (the
fuzzer's fix-ups), so 0 means "the first BO created", 1 "the second", and so on.

    python3 fuzz/vnpu/make_vnpu_ioctl_corpus.py [OUT_DIR]
"""
import os
import struct
import sys

# Indices into kCommands of vnpu_ioctl_fuzz.cc.
GET_PARAM, BO_CREATE, BO_INFO, BO_DESTROY, BO_EXPORT, CMDQ_CREATE, CMDQ_DESTROY = range(7)
SUBMIT, WAIT, INJECT_FAULT, RING_CREATE, RING_DESTROY = range(7, 12)
GET_CAP, VERSION, RAS_QUERY, RAS_EVENT_READ, RAS_CLEAR, RAS_INJECT = range(12, 18)
RING_PUSH, RING_POKE = 18, 19

ROOT, USER = 1, 0
SHORT, LONG = 1 << 2, 2 << 2

OP_NOP, OP_COPY, OP_AXPY, OP_REDUCE_SUM, OP_CRC32C, OP_GEMM, OP_SPIN = range(7)
ONE = struct.unpack("<I", struct.pack("<f", 1.0))[0]


def call(cmd, body=b"", flags=ROOT):
    assert len(body) < 256
    return bytes([cmd, flags, len(body)]) + body


def get_param(param):
    return call(GET_PARAM, struct.pack("<IIQ", param, 0, 0))


def bo_create(size):
    return call(BO_CREATE, struct.pack("<QIIQ", size, 0, 0, 0))


def handle_only(cmd, handle):
    return call(cmd, struct.pack("<II", handle, 0))


def cmdq_create(priority=1, flags=ROOT):
    return call(CMDQ_CREATE, struct.pack("<IIII", priority, 0, 0, 0), flags)


def submit(opcode, bos, params, timeout_ms=0, cmdq=0):
    handles = list(bos) + [0] * (16 - len(bos))
    params = list(params) + [0] * (8 - len(params))
    return call(SUBMIT, struct.pack("<IIII16I8QIIQ", cmdq, opcode, len(bos), 0, *handles, *params,
                                    timeout_ms, 0, 0))


def wait(fences, all_=True, timeout_ns=1000000):
    fs = list(fences) + [0] * (16 - len(fences))
    return call(WAIT, struct.pack("<16QIIq16III", *fs, len(fences), 1 if all_ else 0, timeout_ns,
                                  *([0] * 16), 0, 0))


def inject_fault(type_, flags=0, handle=0, engine=0, address=0, caller=ROOT):
    return call(INJECT_FAULT, struct.pack("<IIIIQQ", type_, flags, handle, engine, address, 0),
                caller)


def ring_create(entries=8, flags=0, cmdq=0):
    return call(RING_CREATE, struct.pack("<IIIIiiiIQ", entries, flags, cmdq, 0, -1, -1, -1, 0, 0))


def ring_push(opcode, bos=(), params=(), user_data=0, ring=0):
    handles = list(bos) + [0] * (16 - len(bos))
    params = list(params) + [0] * (8 - len(params))
    sqe = struct.pack("<IIIIQ16I8QQ", opcode, len(bos), 0, 0, user_data, *handles, *params, 0)
    return call(RING_PUSH, bytes([ring]) + sqe)


def ring_poke(field, value, ring=0):
    return call(RING_POKE, bytes([ring, field]) + struct.pack("<I", value))


def ras_query(fmt, size=4096, ptr=0x10000):
    return call(RAS_QUERY, struct.pack("<IIQIIII", fmt, 0, ptr, size, 0, 0, 0))


def ras_inject(component, severity, count=1, caller=ROOT):
    return call(RAS_INJECT, struct.pack("<IIIIQQ", component, severity, count, 0, 0, 0), caller)


def every_opcode():
    bos = [bo_create(64 * 1024) for _ in range(3)]
    jobs = [
        submit(OP_NOP, [], []),
        submit(OP_COPY, [0, 1], [0, 8, 4096]),
        submit(OP_AXPY, [0, 1], [1024, ONE, 0, 0]),
        submit(OP_REDUCE_SUM, [0, 1], [1024, 0, 4]),
        submit(OP_CRC32C, [0, 1], [9, 0, 0, 0]),
        submit(OP_GEMM, [0, 1, 2], [16, 16, 16, ONE, 0, 0, 0]),
        submit(OP_SPIN, [], [100000]),
    ]
    return b"".join(bos) + cmdq_create() + b"".join(jobs) + wait(range(7))


SEEDS = {
    "seed-params": b"".join(get_param(p) for p in list(range(9)) + [99]),
    "seed-bo-lifecycle": bo_create(8192) + handle_only(BO_INFO, 0) + handle_only(BO_EXPORT, 0)
    + handle_only(BO_DESTROY, 0) + handle_only(BO_INFO, 0) + get_param(3),
    "seed-every-opcode": every_opcode(),
    "seed-out-of-range": bo_create(4096) + bo_create(4096) + cmdq_create()
    + submit(OP_COPY, [0, 1], [4000, 0, 200]) + submit(OP_AXPY, [0, 1], [1, ONE, 2, 0])
    + submit(OP_GEMM, [0, 1, 0], [65536, 65536, 65536, 0, 0, 0, 0])
    + submit(OP_CRC32C, [0, 1], [2**64 - 1, 1, 0, 0]),
    "seed-engine-hang": inject_fault(3, engine=0) + cmdq_create() + submit(OP_NOP, [], [], 5)
    + submit(OP_SPIN, [], [0], 3) + wait([0, 1], True, 1000000) + get_param(7),
    "seed-ecc": bo_create(16384) + bo_create(16384) + inject_fault(2, handle=0, address=4096)
    + inject_fault(1, handle=1, address=8) + cmdq_create() + submit(OP_COPY, [0, 1], [4096, 0, 64])
    + wait([0]) + ras_query(2) + ras_query(7, size=0),
    "seed-ring": bo_create(8192) + bo_create(8192) + cmdq_create() + ring_create(8, 1)
    + ring_push(OP_NOP, user_data=1) + ring_push(OP_NOP, user_data=2)
    + ring_push(OP_COPY, [0, 1], [0, 0, 128], user_data=3) + ring_poke(0, 1000000)
    + ring_poke(2, 5) + handle_only(RING_DESTROY, 0) + ring_create(4, 0) + ring_push(OP_SPIN,
                                                                                 params=[1000]),
    "seed-user-refused": inject_fault(3, caller=USER) + ras_inject(0, 0, caller=USER)
    + cmdq_create(2, USER) + call(RAS_CLEAR, struct.pack("<II", 0, 0), USER) + cmdq_create(2),
    "seed-sizes": call(GET_PARAM, struct.pack("<IIQ", 1, 0, 0), ROOT | SHORT)
    + call(GET_PARAM, struct.pack("<IIQ", 1, 0, 0) + b"\0" * 8, ROOT | LONG)
    + call(GET_PARAM, struct.pack("<IIQ", 1, 0, 0) + b"\1" * 8, ROOT | LONG)
    + call(VERSION, b"") + call(GET_CAP, struct.pack("<QQ", 0x1001, 0)),
    "seed-link-down-reset": bo_create(4096) + cmdq_create() + submit(OP_SPIN, [], [0], 40)
    + inject_fault(5, flags=1) + submit(OP_NOP, [], []) + wait([0, 1], False) + get_param(7),
    "seed-ras-inject": ras_inject(0, 0, 3) + ras_inject(4, 2) + ras_inject(2, 0)
    + ras_inject(3, 3) + call(RAS_EVENT_READ, b"") + ras_query(0) + call(RAS_CLEAR, b"\0" * 8),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "vnpu_ioctl_fuzz")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
