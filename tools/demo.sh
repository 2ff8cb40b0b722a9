#!/usr/bin/env bash
# Sets up, builds and boots the kernel in QEMU, showing its log on this terminal.
# Extra arguments go to the runner (tools/../tests/qemu/run_qemu.py), e.g. --kvm or --icount.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh"
# hello: tasks and channels; services_demo: user -> kernel and user -> user; faulty!restart: a task
# that faults once, which the kernel records (kernel -> kernel) and reports to init's supervisor
# (kernel -> user), which has it restarted. In a terminal, the shell follows (docs/console.md):
# `shutdown` ends the run.
modules=()
for name in init hello child_echo services_demo kv_store kv_client faulty shell; do modules+=(--module "$build/user/$name"); done
run="hello,services_demo,faulty!restart"
interactive=()
if [ -t 0 ] && [ -t 1 ]; then
    run="$run,shell"
    interactive=(--interactive)
fi
exec python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" "${modules[@]}" \
    --append "run=$run" --timeout 120 "${interactive[@]}" \
    --expect "hello: the echo came back" --expect "kernel -> user: supervisor: task faulty faulted" "$@"
