#!/usr/bin/env bash
# Sets up, builds and runs every test: host unit tests, the fuzzer's bounded run and the QEMU
# integration tests. Extra arguments go to ctest (e.g. -L qemu, -R heap).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh"
cd "$build"
exec ctest --output-on-failure -j "$(nproc)" "$@"
