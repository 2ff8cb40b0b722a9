"""tools/fairness_chart.sh: draws a scheduling log's time series, and says so when there is none."""

import os
import shutil
import subprocess
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "fairness_chart.sh")

# Two scenarios as sched_test prints them (three 10 ms intervals each), among other lines.
LOG = """\
[    1.0] info  [sched_test] sched series ring_flood tasks=ring_flooder,spinner weights=100,100 interval_us=10000
[    1.0] info  [sched_test] sched sample ring_flood t_ms=10 cpu_us=10000,0 work_us=4000,0
[    1.0] info  [sched_test] sched sample ring_flood t_ms=20 cpu_us=0,10000 work_us=0,0
[    1.0] info  [sched_test] sched sample ring_flood t_ms=30 cpu_us=5000,5000 work_us=1000,0
[    1.0] info  [sched_test] ok a_task_flooding_its_ring_with_async_operations_gets_only_its_share
[    2.0] info  [sched_test] sched series weighted tasks=spinner,spinner weights=25,75 interval_us=10000
[    2.0] info  [sched_test] sched sample weighted t_ms=10 cpu_us=2500,7500 work_us=0,0
[    2.0] info  [sched_test] sched sample weighted t_ms=20 cpu_us=2500,7500 work_us=0,0
[    2.0] info  [sched_test] sched sample weighted t_ms=30 cpu_us=2500,7500 work_us=0,0
"""


@unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (tools/setup.sh installs it)")
class FairnessChartTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)

    def draw(self, log_text):
        log = os.path.join(self.directory, "sched.log")
        with open(log, "w") as file:
            file.write(log_text)
        environment = dict(os.environ, BUILD_DIR=self.directory)
        return subprocess.run(["bash", SCRIPT, log], env=environment, capture_output=True, text=True)

    def test_draws_every_scenario_into_an_svg(self):
        result = self.draw(LOG)
        self.assertEqual(result.returncode, 0, result.stderr)
        chart = os.path.join(self.directory, "fairness", "fairness.svg")
        self.assertIn(chart, result.stdout)
        with open(chart) as file:
            svg = file.read()
        self.assertIn("<svg", svg)
        self.assertIn("ring_flood", svg)
        self.assertIn("weighted", svg)

    def test_data_gives_each_tasks_share_recent_since_the_start_and_its_kernel_work(self):
        self.assertEqual(self.draw(LOG).returncode, 0)
        with open(os.path.join(self.directory, "fairness", "ring_flood.dat")) as file:
            rows = [[float(value) for value in line.split()] for line in file]
        # t_ms, then per task: share over the last 120 ms, since the start, its kernel work's share.
        self.assertEqual(rows[0], [10, 100, 100, 40, 0, 0, 0])
        self.assertEqual(rows[2], [30, 50, 50, 16.67, 50, 50, 0])  # work: 5,000 us of 30,000

    def test_a_log_without_series_fails_and_says_so(self):
        result = self.draw("no figures here\n")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no 'sched series' lines", result.stderr)


if __name__ == "__main__":
    unittest.main()
