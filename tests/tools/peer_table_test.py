"""tools/peer_table.py: parses the benchmark's lines and sets each figure beside its peers."""

import io
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import peer_table  # noqa: E402

OUTPUT = """== QEMU, -icount shift=0 (1 tick = 1 guest instruction) ==
bench rdtsc_overhead cycles median=5 p99=5 iterations=1000
bench null_syscall cycles median=113 p99=113 iterations=1000
bench channel_call_16 cycles median=1669 p99=1700 iterations=1000
bench kernel_memory channel_pair heap_bytes=272 frames=0
[   1.2] bench kernel_to_user_call_16 cycles per_call=3042 iterations=1000
bench ring_nop_batch_64 cycles median=82 p99=90 iterations=1000
sched equal_shares jain_index=0.999 shares=333/333/333 permille
bench done ok
"""


class PeerTableTest(unittest.TestCase):
    def test_parse_takes_median_and_per_call_figures_and_nothing_else(self):
        figures = peer_table.parse(OUTPUT.splitlines())
        self.assertEqual(
            figures,
            {
                "rdtsc_overhead": 5,
                "null_syscall": 113,
                "channel_call_16": 1669,
                "kernel_to_user_call_16": 3042,
                "ring_nop_batch_64": 82,
            },
        )

    def test_ratio_is_ours_over_theirs(self):
        rows = peer_table.table({"null_syscall": 113, "channel_call_16": 1669})
        null_row = next(row for row in rows if row.startswith("| null_syscall "))
        self.assertIn("342", null_row)
        self.assertIn("0.33x", null_row)  # 113 / 342
        call_row = next(row for row in rows if row.startswith("| channel_call_16 "))
        self.assertIn("0.13x", call_row)  # 1,669 / 13,086 (Linux pipe)
        self.assertIn("4.12x", call_row)  # 1,669 / 405 (seL4 fastpath)

    def test_a_figure_without_a_peer_says_not_applicable_on_both_sides(self):
        rows = peer_table.table({"ring_nop_batch_64": 82})
        row = rows[2]
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        self.assertEqual(cells, ["ring_nop_batch_64", "82"] + ["n/a"] * 4)

    def test_every_peer_figure_is_one_the_anchors_state(self):
        anchors = {5, 342, 13_086, 13_156, 17_488, 10_924, 10_114, 4_472, 405, 1_626}
        for peer in list(peer_table.LINUX.values()) + list(peer_table.SEL4.values()):
            self.assertIn(peer.ticks, anchors)

    def test_no_figures_says_so(self):
        out = io.StringIO()
        peer_table.write({}, out)
        self.assertIn("no `bench NAME cycles` figures", out.getvalue())


if __name__ == "__main__":
    unittest.main()
