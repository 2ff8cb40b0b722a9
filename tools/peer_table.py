#!/usr/bin/env python3
"""Sets the benchmark's figures beside Linux's and seL4's, with the ratio (ours / theirs).

Reads ./tools/benchmark.sh's output (or any text holding its `bench NAME cycles median=N` and
`bench NAME cycles per_call=N` lines) on stdin and prints one row per figure. The peers' figures
are those of ../shared/reference/anchors.md, "Peers measured on these machines by our method":
QEMU 7.2 TCG with -icount shift=0 (1 tick = 1 guest instruction), the same boot mode as ours.
Where that list has nothing comparable the row says n/a; nothing is estimated.

    ./tools/benchmark.sh | python3 tools/peer_table.py
"""

import re
import sys
from dataclasses import dataclass
from typing import Dict, List, TextIO

SOURCE = (
    "../shared/reference/anchors.md, \"Peers measured on these machines by our method\": booted in the same"
    " QEMU 7.2 TCG with the same flags (-icount shift=0)"
)


@dataclass(frozen=True)
class Peer:
    ticks: int
    what: str  # what was measured, and how (the anchors' words)


# Our figure's name -> the peer figure it is comparable with. Only figures stated in anchors.md's
# table of peers measured by our method; the closest operation, its differences said in `what`.
LINUX_RUN = "Linux 6.1, a static benchmark as /init"
SEL4_RUN = "sel4bench, release, 1 core"
LINUX: Dict[str, Peer] = {
    "rdtsc_overhead": Peer(5, f"timer read pair (lfence; rdtsc; lfence) ({LINUX_RUN}): the clocks agree"),
    "null_syscall": Peer(342, f"null system call, getppid ({LINUX_RUN})"),
    "channel_call_16": Peer(13_086, f"pipe round trip, 1 B, two processes ({LINUX_RUN})"),
    "event_round_trip": Peer(10_924, f"eventfd round trip ({LINUX_RUN})"),
    "yield_round_trip": Peer(4_472, f"sched_yield round trip, two processes, 2 switches ({LINUX_RUN})"),
    "service_user_user": Peer(17_488, f"unix stream round trip, 64 B, the closest: no encoding ({LINUX_RUN})"),
}
SEL4: Dict[str, Peer] = {
    "channel_call_16": Peer(405, f"call + reply-recv, 0-length (ours: 16 B), two address spaces, fastpath, {SEL4_RUN}"),
}

# Peer figures in anchors.md with no counterpart among ours, listed under the table.
UNMATCHED = [
    "Linux pipe round trip 64 B: 13,156",
    "Linux futex round trip (two threads, one address space): 10,114",
    "seL4 call + reply-recv, 10-word message: 1,626",
]

FIGURE = re.compile(r"\bbench (\S+) cycles (?:median|per_call)=(\d+)")


def parse(lines) -> Dict[str, int]:
    """Each `bench NAME cycles median=N` or `per_call=N` figure, by name (the last one wins)."""
    figures: Dict[str, int] = {}
    for line in lines:
        match = FIGURE.search(line)
        if match:
            figures[match.group(1)] = int(match.group(2))
    return figures


def ratio(ours: int, peer: Peer) -> str:
    return f"{ours / peer.ticks:.2f}x"


def table(figures: Dict[str, int]) -> List[str]:
    """The table's lines; a peer cell's [n] refers to what_was_measured()'s line n."""
    notes = peer_notes(figures)
    rows = [["figure", "ours", "Linux", "ours / Linux", "seL4", "ours / seL4"]]
    for name, ours in figures.items():
        linux, sel4 = LINUX.get(name), SEL4.get(name)
        cells = [name, f"{ours:,}"]
        for peer in (linux, sel4):
            if peer is None:
                cells += ["n/a", "n/a"]
            else:
                cells += [f"{peer.ticks:,} [{notes.index(peer) + 1}]", ratio(ours, peer)]
        rows.append(cells)
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return lines


def peer_notes(figures: Dict[str, int]) -> List[Peer]:
    """The peer figures the table uses, in the order it first uses them."""
    notes: List[Peer] = []
    for name in figures:
        for peer in (LINUX.get(name), SEL4.get(name)):
            if peer is not None and peer not in notes:
                notes.append(peer)
    return notes


def write(figures: Dict[str, int], out: TextIO) -> None:
    out.write("== beside peers: ticks (guest instructions), ratio ours / theirs ==\n")
    if not figures:
        out.write("no `bench NAME cycles` figures in the input\n")
        return
    for line in table(figures):
        out.write(line + "\n")
    for number, peer in enumerate(peer_notes(figures), 1):
        out.write(f"[{number}] {peer.what}\n")
    out.write(f"Peers: {SOURCE}. n/a: no peer figure measured that way for that operation.\n")
    out.write("Peer figures without a counterpart here: " + "; ".join(UNMATCHED) + ".\n")


def main() -> int:
    write(parse(sys.stdin), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
