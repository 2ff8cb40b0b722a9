#!/usr/bin/env bash
# Builds and runs every benchmark, printing one line per figure:
#   - in QEMU with -icount shift=0 (guest time counts instructions, so the cycle figures are
#     deterministic and comparable between kernels booted the same way): system calls, IPC,
#     context switches, kernel memory per object, the executor's costs, and the scheduler's
#     fairness and wake-up latency;
#   - on the host: Ptah encoding and decoding (Google Benchmark);
# then draws the fairness runs (tools/fairness_chart.sh: build/fairness/fairness.svg) and ends with
# the figures beside Linux's and seL4's measured the same way (tools/peer_table.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/tools/setup.sh"
"$root/tools/build.sh" >/dev/null
run_qemu() { python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" --icount --timeout 600 "$@"; }
modules() { for name in "$@"; do printf -- '--module %s ' "$build/user/$name"; done; }
mkdir -p "$build/fairness"
figures=$build/benchmark.log  # the QEMU figures, for the table at the end
sched_log=$build/fairness/sched_test.log

echo "== QEMU, -icount shift=0 (1 tick = 1 guest instruction) =="
# shellcheck disable=SC2046
{
    run_qemu $(modules init benchmark child_echo bench_ping yielder bench_echo_service) --append "run=benchmark" | grep -o 'bench .*'
    run_qemu $(modules init bench_kernel_call echo_provider) --append "run=bench_kernel_call" | grep -o 'bench .*'
    run_qemu --append "test=bench_executor" | grep -o 'bench .*'
    run_qemu --append "test=bench_services" | grep -o 'bench .*'
} | tee "$figures"
# The scheduling test's time series go to the chart, not the screen.
# shellcheck disable=SC2046
run_qemu $(modules init sched_test spinner ring_flooder sleeper service_flooder) --append "run=sched_test debug=kernel_work" >"$sched_log"
grep -o 'sched .*' "$sched_log" | grep -v -E '^sched (series|sample) '

echo "== host: Ptah =="
"$build/benchmarks/host/ptah_benchmark" --benchmark_min_time=0.2 2>/dev/null | grep -E '^(BM_|---|Benchmark)'

echo "== the fairness runs, drawn =="
BUILD_DIR=$build "$root/tools/fairness_chart.sh" "$sched_log"

python3 "$root/tools/peer_table.py" <"$figures"
