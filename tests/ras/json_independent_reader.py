#!/usr/bin/env python3
"""json_independent_reader.py - reads accel.ras.v1 JSON documents without accel's code.

The JSON codec test runs this as its independent reader: it validates each document against
schema/ras-v1.schema.json with python3-jsonschema (Draft 2020-12), then prints the document's
content as plain lines that the test rebuilds from the Snapshot it encoded and compares. Python
parses JSON integers exactly, so u64 values above 2^53 are checked digit for digit; messages
and raw blobs are printed as hex, so escaping and base64 are checked byte for byte.

  json_independent_reader.py SCHEMA DOCUMENT...
A document that fails the schema prints "invalid PATH" instead of its content (the errors go to
stderr). Exit status: 0 all valid, 1 some document invalid, 2 usage.
"""
import base64
import json
import sys

import jsonschema


def summary(doc):
    d = doc["device"]
    yield "D %s %s %s %s %d %d %d" % (d["name"], d["driver"], d["serial"], d["bus"], d["minor"],
                                      doc["timestamp_ns"], doc["events_dropped"])
    for c in doc["components"]:
        yield "C %d %s %s" % (c["index"], c["name"], c["health"])
        for sev, k in c["counters"].items():
            yield "K %d %s %d %d" % (c["index"], sev, k["volatile"], k["aggregate"])
    for e in doc["events"]:
        addr = "%d" % e["address"] if "address" in e else "-"
        raw = base64.b64decode(e["raw"], validate=True).hex() if "raw" in e else ""
        yield "E %d %d %s %d %s %d %d %s %s %s" % (
            e["seqno"], e["timestamp_ns"], e["component"], e["component_index"], e["severity"],
            e["code"], e["count"], addr, e["message"].encode("utf-8").hex(), raw)
    for p in doc["retired_pages"]:
        yield "P %d %s %s %d" % (p["address"], p["cause"], p["state"], p["timestamp_ns"])


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    status = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            print("%s: %s: %s" % (path, "/".join(map(str, e.path)), e.message), file=sys.stderr)
        if errors:
            print("invalid %s" % path)
            status = 1
            continue
        for line in summary(doc):
            print(line)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
