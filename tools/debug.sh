#!/usr/bin/env bash
# Boots the kernel halted, waiting for gdb on localhost:1234. In another terminal:
#   gdb -x tools/kernel.gdb
# Extra arguments go to the runner, e.g. --append "test=heap".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/build.sh"
exec python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" --gdb "$@"
