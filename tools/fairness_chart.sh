#!/usr/bin/env bash
# Draws the fairness runs of the scheduling test (user/sched/sched_test.cpp, QEMU with
# -icount shift=0): one panel per scenario, each task's share of the CPU over the 1 s window, so
# that a reader sees a flooder held to its share. The test prints each task's CPU time per 10 ms
# (`sched series` and `sched sample` lines); a 10 ms slice goes to one task at a time, so the
# chart draws each task's share over the last 120 ms (thin) and since the window began (thick),
# its fair share by weight (dashed), and the part of a task's time its kernel work queue ran for
# it (shaded).
#
#   ./tools/fairness_chart.sh         builds, boots the scenario and draws the chart
#   ./tools/fairness_chart.sh LOG     draws from the log of such a run (tools/benchmark.sh's)
#
# Writes $BUILD_DIR/fairness/fairness.svg (build/ by default), and the data files beside it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=$build/fairness
mkdir -p "$out"

if [ $# -ge 1 ]; then
    log=$1
else
    "$root/tools/setup.sh"
    "$root/tools/build.sh" >/dev/null
    log=$out/sched_test.log
    modules=()
    for name in init sched_test spinner ring_flooder sleeper service_flooder; do
        modules+=(--module "$build/user/$name")
    done
    python3 "$root/tests/qemu/run_qemu.py" --kernel "$build/kernel/kernel.bin" --icount --timeout 600 \
        "${modules[@]}" --append "run=sched_test debug=kernel_work" >"$log"
fi
command -v gnuplot >/dev/null || {
    echo "gnuplot is missing: run tools/setup.sh" >&2
    exit 1
}

# One data file per scenario: t_ms, then per task its share over the last 120 ms, since the
# start, and its kernel work's share over the last 120 ms (percent of the CPU). Then a list of
# scenarios: name, task names, weights, columns.
rm -f "$out"/*.dat "$out/scenarios"
awk -v out="$out" -v smoothing=12 '
    function flush() {
        if (name == "") return
        printf "%s %s %s %d\n", name, tasks, weights, n >> (out "/scenarios")
        close(file)
    }
    /sched series / {
        flush()
        for (i = 1; i <= NF; ++i) {
            if ($i == "series") name = $(i + 1)
            if ($i ~ /^tasks=/) tasks = substr($i, 7)
            if ($i ~ /^weights=/) weights = substr($i, 9)
            if ($i ~ /^interval_us=/) interval = substr($i, 13)
        }
        n = split(tasks, ignored, ",")
        file = out "/" name ".dat"
        samples = 0
        split("", history_cpu)
        split("", history_work)
        for (i = 1; i <= n; ++i) total[i] = 0
        elapsed = 0
        next
    }
    /sched sample / {
        for (i = 1; i <= NF; ++i) {
            if ($i ~ /^t_ms=/) t = substr($i, 6)
            if ($i ~ /^cpu_us=/) split(substr($i, 8), cpu, ",")
            if ($i ~ /^work_us=/) split(substr($i, 9), work, ",")
        }
        ++samples
        elapsed += interval
        line = t
        for (i = 1; i <= n; ++i) {
            history_cpu[i, samples % smoothing] = cpu[i]
            history_work[i, samples % smoothing] = work[i]
            total[i] += cpu[i]
            kept = samples < smoothing ? samples : smoothing
            recent_cpu = 0
            recent_work = 0
            for (k = 0; k < smoothing; ++k) {  # unset slots (the first samples) are 0
                recent_cpu += history_cpu[i, k]
                recent_work += history_work[i, k]
            }
            line = line sprintf(" %.2f %.2f %.2f", 100 * recent_cpu / (kept * interval),
                                100 * total[i] / elapsed, 100 * recent_work / (kept * interval))
        }
        print line > file
    }
    END { flush() }
' "$log"
[ -s "$out/scenarios" ] || {
    echo "no 'sched series' lines in $log" >&2
    exit 1
}

# The gnuplot script: a grid of panels, two wide.
panels=$(wc -l <"$out/scenarios")
rows=$(((panels + 1) / 2))
script=$out/fairness.gnuplot
{
    echo "set terminal svg size 1200,$((rows * 380)) dynamic font 'sans,11' background '#ffffff'"
    echo "set output '$out/fairness.svg'"
    echo "set termoption noenhanced"
    # (\n is gnuplot's: a line break in the title.)
    printf '%s\n' "set multiplot layout $rows,2 title \"Each task's share of the CPU in sched_test's scenarios (QEMU -icount shift=0)\nthick: since the window began; thin: over the last 120 ms; dashed: its fair share by weight; shaded: the part its kernel work queue ran for it\" font 'sans,12'"
    echo "set yrange [0:70]; set xrange [0:1000]; set ytics 0,10,70; set grid ytics lc rgb '#dddddd'"
    echo "set xlabel 'time in the window (ms)'; set ylabel 'share of the CPU (%)'"
    echo "set key top right horizontal font 'sans,9' samplen 2"
    echo "colors = '#1f77b4 #d62728 #2ca02c #ff7f0e'"
    while read -r name tasks weights count; do
        IFS=, read -r -a task_names <<<"$tasks"
        IFS=, read -r -a task_weights <<<"$weights"
        sum=0
        for weight in "${task_weights[@]}"; do sum=$((sum + weight)); done
        finals=$(awk -v n="$count" 'END { for (i = 1; i <= n; ++i) printf "%s%.1f%%", (i > 1 ? " / " : ""), $(3 * i) }' "$out/$name.dat")
        echo "set title '$name: $finals over the window' font 'sans,11'"
        plot="plot"
        for ((i = 0; i < count; ++i)); do
            color="word(colors, $((i + 1)))"
            label="$((i + 1)) ${task_names[i]}"
            column=$((2 + 3 * i))
            fair=$(awk -v w="${task_weights[i]}" -v s="$sum" 'BEGIN { printf "%.2f", 100 * w / s }')
            plot+=" '$out/$name.dat' using 1:$((column + 2)) with filledcurves y=0 lc rgb $color fs transparent solid 0.15 notitle,"
            plot+=" '' using 1:$column with lines lw 1 lc rgb $color notitle,"
            plot+=" '' using 1:$((column + 1)) with lines lw 3 lc rgb $color title '$label',"
            plot+=" $fair with lines dt 2 lw 1 lc rgb $color notitle,"
        done
        echo "${plot%,}"
    done < <(grep flood "$out/scenarios" || true; grep -v flood "$out/scenarios" || true) # floods first
    echo "unset multiplot"
} >"$script"
gnuplot "$script"
echo "fairness chart: $out/fairness.svg"
