#!/usr/bin/env python3
"""make_fwlink_corpus.py - writes the seeds of vnpu_rpmsg_fuzz and vnpu_vring_fuzz.

A handful of valid inputs per target, built from the layouts in
src/drivers/vnpu/fwlink/fw_protocol.h, shared_region.h and virtqueue.h, so that the fuzzers
start inside the protocol; and a few hostile ones. Files are named seed-*; crash reproducers
added later are named crash-*-* and are not touched. Little-endian, as both ends are.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")

NS_ADDR, FW_ADDR, DRV_ADDR = 53, 0x400, 0x401
BUFFER_SIZE = 4096
HELLO, HEARTBEAT, RAS_BLOB, FAULT, RAS_REQUEST, SHUTDOWN, STOP_HEARTBEAT = range(1, 8)
PAGE = 4096
DESC_WRITE = 2


def rpmsg(src, dst, payload, length=None):
    n = len(payload) if length is None else length
    return struct.pack("<IIIHH", src, dst, 0, n, 0) + payload


def ns(name, addr, flags=0):
    return struct.pack("<32sII", name, addr, flags)


def rpmsg_seeds():
    fault = struct.pack("<6IQ64s", FAULT, 0, 0, 1, 0xECC, 1, 0x1000, b"single-bit ECC")
    return {
        "ns-announce": rpmsg(FW_ADDR, NS_ADDR, ns(b"vnpu-ctrl", FW_ADDR)),
        "ns-destroy": rpmsg(FW_ADDR, NS_ADDR, ns(b"vnpu-ctrl", FW_ADDR, 1)),
        "hello": rpmsg(FW_ADDR, DRV_ADDR, struct.pack("<IHHHHII", HELLO, 1, 4, 0, 0, 100, 4242)),
        "heartbeat": rpmsg(FW_ADDR, DRV_ADDR, struct.pack("<IIQ", HEARTBEAT, 7, 10**9)),
        # CBOR {0: 1}: a blob the driver passes on; decoding it is the RAS fuzzers' job.
        "ras-blob": rpmsg(FW_ADDR, DRV_ADDR, struct.pack("<II", RAS_BLOB, 8) + b"\xa1\x00\x01"),
        "fault": rpmsg(DRV_ADDR, FW_ADDR, fault),
        "shutdown": rpmsg(DRV_ADDR, FW_ADDR, struct.pack("<I", SHUTDOWN)),
        "short-header": rpmsg(FW_ADDR, DRV_ADDR, b"")[:10],
        "length-lies": rpmsg(FW_ADDR, DRV_ADDR, struct.pack("<I", HEARTBEAT), length=400),
    }


def align(v, a):
    return (v + a - 1) & ~(a - 1)


def layout(num):
    """LayoutFor(num) and VringLayout::For(num)."""
    avail = 16 * num
    used = align(avail + 6 + 2 * num, 64)
    vring_size = used + 6 + 8 * num
    span = align(vring_size, PAGE)
    return {"num": num, "avail": avail, "used": used, "vring_size": vring_size,
            "vring": [PAGE, PAGE + span], "pool": PAGE + 2 * span}


def vring(l, descs, avail_ring, avail_idx, used_ring, used_idx):
    b = bytearray(l["vring_size"])
    for i, (addr, length, flags) in enumerate(descs):
        struct.pack_into("<QIHH", b, 16 * i, addr, length, flags, 0)
    struct.pack_into("<HH", b, l["avail"], 0, avail_idx)
    for i, head in enumerate(avail_ring):
        struct.pack_into("<H", b, l["avail"] + 4 + 2 * i, head)
    struct.pack_into("<HH", b, l["used"], 0, used_idx)
    for i, (ident, length) in enumerate(used_ring):
        struct.pack_into("<II", b, l["used"] + 4 + 8 * i, ident, length)
    return bytes(b)


def header(l, **over):
    num = l["num"]
    f = {"magic": 0x55504E76, "version": 1, "num": num, "buffer_size": BUFFER_SIZE,
         "size": l["pool"] + 2 * num * BUFFER_SIZE, "v0": l["vring"][0], "v1": l["vring"][1],
         "pool": l["pool"], "buffers": 2 * num}
    f.update(over)
    return struct.pack("<IIIIQQQQII", f["magic"], f["version"], f["num"], f["buffer_size"],
                       f["size"], f["v0"], f["v1"], f["pool"], f["buffers"], 0)


def vring_seeds():
    num, log = 4, 1  # control bits 0-1: log2(num) - 1
    l = layout(num)
    buf = lambda i: l["pool"] + i * BUFFER_SIZE
    req = rpmsg(DRV_ADDR, FW_ADDR, struct.pack("<I", RAS_REQUEST))
    hb = rpmsg(FW_ADDR, DRV_ADDR, struct.pack("<IIQ", HEARTBEAT, 1, 1))
    rx_posted = [(buf(i), BUFFER_SIZE, DESC_WRITE) for i in range(num)]
    # rx: all posted, two used by the firmware; tx: one message waiting.
    rx = vring(l, rx_posted, range(num), num, [(0, len(hb)), (1, len(hb))], 2)
    tx = vring(l, [(buf(num), len(req), 0)], [0], 1, [], 0)
    hostile_tx = vring(l, [(0, 64, 0)], [0], 1, [], 0)  # a descriptor onto the header
    lying_used = vring(l, rx_posted, range(num), num, [(3, BUFFER_SIZE + 1), (9, 0)], 2)
    return {
        "driver-only": bytes([log]),
        "driver-sent-two": bytes([log | (2 << 3)]),
        "rings": bytes([log]) + rx + tx + hb,  # hb: the message in rx buffer 0
        "hostile-descriptor": bytes([log]) + rx + hostile_tx,
        "lying-used": bytes([log | (1 << 3)]) + lying_used,
        "header-swapped-vrings": bytes([log | 4]) + header(l, v0=l["vring"][1], v1=l["vring"][0]),
        "header-num-too-big": bytes([log | 4]) + header(l, num=8, buffers=16),
        "num16": bytes([3 | (5 << 3)]),
    }


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


def main():
    write("vnpu_rpmsg_fuzz", rpmsg_seeds())
    write("vnpu_vring_fuzz", vring_seeds())


if __name__ == "__main__":
    main()
