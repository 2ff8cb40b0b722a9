#!/usr/bin/env python3
"""Builds the kernel's symbol table from a first-pass kernel ELF.

Writes an assembly file that places the table in .kernel_symbols: a header (magic, count),
entries (address u64, name offset u32, name length u32) sorted by address, then the names.
"""
import struct
import subprocess
import sys

MAGIC = 0x4D59534B


def text_symbols(nm, elf):
    output = subprocess.run([nm, "--defined-only", "--demangle", "-n", elf], check=True,
                            capture_output=True, text=True).stdout
    for line in output.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("T", "t", "W", "w"):
            yield int(parts[0], 16), parts[2]


def check(nm, first_pass, final):
    """The second link must not move any function, or the embedded table would lie."""
    before = set(text_symbols(nm, first_pass))
    after = set(text_symbols(nm, final))
    if before != after:
        moved = sorted(before ^ after)[:10]
        sys.exit(f"kernel symbols moved between link passes: {moved}")


def main():
    if sys.argv[1] == "--check":
        check(*sys.argv[2:5])
        return
    nm, elf, out = sys.argv[1:4]
    symbols = sorted(set(text_symbols(nm, elf)))
    names = bytearray()
    entries = bytearray()
    for address, name in symbols:
        encoded = name.encode()
        entries += struct.pack("<QII", address, len(names), len(encoded))
        names += encoded
    blob = struct.pack("<II", MAGIC, len(symbols)) + entries + names
    with open(out, "w") as f:
        f.write('.section .kernel_symbols, "a"\n.balign 8\n.global kernel_symbol_table\nkernel_symbol_table:\n')
        for i in range(0, len(blob), 16):
            f.write(".byte " + ",".join(str(b) for b in blob[i:i + 16]) + "\n")
        f.write('.section .note.GNU-stack, "", @progbits\n')


if __name__ == "__main__":
    main()
