#!/usr/bin/env python3
"""Writes a deterministic pseudo-random file of SIZE bytes (a boot module whose contents the
modules scenario checks byte for byte, through its hash)."""
import sys

path, size = sys.argv[1], int(sys.argv[2])
state = 0x2545F4914F6CDD1D
data = bytearray()
while len(data) < size:
    state ^= (state << 13) & 0xFFFFFFFFFFFFFFFF
    state ^= state >> 7
    state ^= (state << 17) & 0xFFFFFFFFFFFFFFFF
    data += state.to_bytes(8, "little")
with open(path, "wb") as f:
    f.write(data[:size])
