#!/usr/bin/env python3
"""check_layers.py - includes only point down the layer diagram, and no module cycle exists.

The layers are the README's architecture diagram, written down once here as data: every
source folder belongs to one module, and each module lists the modules it may include. A
file's `#include "x/y.h"` (or `<x/y.h>` for our own public headers) is resolved to the module
that owns that path; an edge not in the owner's list is a violation. The allowed graph itself
must be acyclic and the top-level CMakeLists.txt must add the modules' folders in an order
where every module comes after all it may use (layer order), so a new module cannot slip in
above its users.

  check_layers.py REPO            # exit 0: clean; exit 1: each violation on its own line
  check_layers.py --self-test     # runs the checker on a made-up tree with known violations
"""

import os
import re
import sys
import tempfile

# module: (folders it owns, modules it may include). Public headers (include/accel,
# include/uapi) are below everything and may be included by anyone. Order: bottom first.
MODULES = [
    ("wire", ["src/wire"], []),
    ("ras", ["src/ras"], []),  # the plain-data model and the codecs
    ("ras/state", ["src/ras/state"], ["ras"]),  # one device's live RAS state
    ("ras/store", ["src/ras/store"], ["ras"]),
    ("ras/rpc", ["src/ras/rpc"], ["ras"]),  # gRPC messages, both ends
    ("core", ["src/core"], ["ras", "ras/state"]),
    ("drivers", ["src/drivers"], ["ras"]),  # plugins see only the C ABI (+ codecs they link)
    ("transport", ["src/transport"], ["core", "wire", "ras"]),
    ("daemon", ["src/daemon"], ["core", "wire", "ras", "ras/state", "ras/store", "ras/rpc"]),
    ("libaccel", ["lib/libaccel"], ["wire"]),
    ("rasclient", ["lib/rasclient"], ["ras", "ras/rpc"]),
    ("acceld", ["tools/acceld"],
     ["core", "wire", "ras", "ras/state", "ras/store", "ras/rpc", "transport", "daemon"]),
    ("accelctl", ["tools/accelctl"], ["libaccel", "rasclient", "wire", "ras"]),
]

PUBLIC = ["include/accel", "include/uapi"]
SOURCE_ROOTS = ["src", "lib", "tools"]
# Generated headers, by the module whose build makes them.
GENERATED = [
    (re.compile(r"^accel/ras/v1/ras_service\."), "ras/rpc"),
    (re.compile(r"^accel/ras/v1/"), "ras"),
    (re.compile(r"^gen-cpp/|_types\.h$|_constants\.h$"), "ras"),
]
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXT = (".h", ".hpp", ".cc", ".cpp", ".c", ".inc")


def owner(path):
    """The module owning a repo-relative path (longest folder wins), or None."""
    best, best_len = None, -1
    for name, dirs, _ in MODULES:
        for d in dirs:
            if (path == d or path.startswith(d + "/")) and len(d) > best_len:
                best, best_len = name, len(d)
    return best


def resolve(repo, src_file, quote, target):
    """The repo-relative file an include names, or a module name for generated code, or None
    for a system or third-party header."""
    if quote == '"':
        local = os.path.normpath(os.path.join(os.path.dirname(src_file), target))
        if os.path.isfile(os.path.join(repo, local)):
            return local
    for root in ("src", "lib", "include"):
        cand = os.path.normpath(os.path.join(root, target))
        if os.path.isfile(os.path.join(repo, cand)):
            return cand
    if quote == '"':
        for pattern, module in GENERATED:
            if pattern.search(target):
                return ("module", module)
    return None


def check_cmake_order(repo, errors):
    """Top-level add_subdirectory() calls come in layer order."""
    path = os.path.join(repo, "CMakeLists.txt")
    order = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*add_subdirectory\(([^)\s]+)", line)
            if not m:
                continue
            module = owner(m.group(1).rstrip("/"))
            if module is not None and module not in order:
                order[module] = len(order)
    allowed = {name: deps for name, _, deps in MODULES}
    for module, pos in order.items():
        for dep in allowed[module]:
            if dep in order and order[dep] > pos:
                errors.append(f"CMakeLists.txt: {module} is added before {dep}, which it uses")


def check_acyclic(errors):
    allowed = {name: deps for name, _, deps in MODULES}
    state = {}

    def visit(n, stack):
        if state.get(n) == 1:
            errors.append("layer table: cycle " + " -> ".join(stack + [n]))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in allowed.get(n, []):
            if d not in allowed:
                errors.append(f"layer table: {n} names unknown module {d}")
                continue
            visit(d, stack + [n])
        state[n] = 2

    for name in allowed:
        visit(name, [])


def check(repo):
    errors = []
    check_acyclic(errors)
    allowed = {name: set(deps) for name, _, deps in MODULES}
    for root in SOURCE_ROOTS:
        for dirpath, _, files in os.walk(os.path.join(repo, root)):
            for fn in sorted(files):
                if not fn.endswith(SOURCE_EXT):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, fn), repo)
                src_module = owner(rel)
                if src_module is None:
                    errors.append(f"{rel}: in no module of the layer table (add its folder)")
                    continue
                with open(os.path.join(repo, rel), encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE_RE.match(line)
                        if not m:
                            continue
                        target = resolve(repo, rel, m.group(1), m.group(2))
                        if target is None:
                            continue
                        if isinstance(target, tuple):
                            dst_module = target[1]
                        elif any(target.startswith(p + "/") for p in PUBLIC):
                            continue
                        else:
                            dst_module = owner(target)
                        if dst_module is None or dst_module == src_module:
                            continue
                        if dst_module not in allowed[src_module]:
                            errors.append(f"{rel}:{lineno}: {src_module} includes "
                                          f"{m.group(2)} of {dst_module}, which is not below it")
    check_cmake_order(repo, errors)
    return errors


def self_test():
    """The checker must catch an upward include, an unknown folder and a bad CMake order."""
    with tempfile.TemporaryDirectory() as tmp:
        def write(rel, text):
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
                f.write(text)

        write("src/core/device.h", '#include "ras/model.h"\n#include "daemon/ras_service.h"\n')
        write("src/ras/model.h", "#include <vector>\n")
        write("src/daemon/ras_service.h", '#include "core/device.h"\n')
        write("tools/accelctl/main.cc", '#include "ras/state/x.h"\n#include "ras/model.h"\n')
        write("src/ras/state/x.h", "")
        write("src/mystery/y.cc", "")
        write("CMakeLists.txt", "add_subdirectory(src/daemon)\nadd_subdirectory(src/core)\n")
        got = check(tmp)
        want = [
            "src/core/device.h:2: core includes daemon/ras_service.h",
            "tools/accelctl/main.cc:1: accelctl includes ras/state/x.h",
            "src/mystery/y.cc: in no module",
            "CMakeLists.txt: daemon is added before core",
        ]
        missing = [w for w in want if not any(g.startswith(w) for g in got)]
        if missing or len(got) != len(want):
            print("self-test failed; got:\n  " + "\n  ".join(got), file=sys.stderr)
            return 1
    print("self-test: the checker finds all 4 planted violations")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    errors = check(argv[1])
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} layering violation(s); the layer table is in {argv[0]}",
              file=sys.stderr)
        return 1
    print(f"layers: {len(MODULES)} modules, every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
