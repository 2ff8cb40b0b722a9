#!/usr/bin/env python3
"""Boots the kernel in QEMU, reads its serial console and judges the run.

A run passes when the kernel ends it with the expected status (through isa-debug-exit), every
--expect pattern appears in the output and no --reject pattern does. A run that outlives
--timeout is killed and fails with a clear message, never hangs. With --until, the run ends when
that pattern appears (a prompt that would wait for ever): QEMU is stopped, its status not judged.

The kernel and its modules come from --kernel and --module (QEMU's Multiboot loader), or from a
bootable ISO (--cdrom, tools/iso.sh), which brings its own command line and modules.

Typing on the serial console: --input LINE (repeatable) and --script FILE (one line each) are
sent in order, each once the --prompt pattern (default: the shell's `poplar> `) has appeared in
the output since the previous line was sent, and each followed by a carriage return (Enter on a
terminal). In a script, a line `@wait REGEX` makes the next line wait for REGEX instead of the
prompt, `@capture REGEX` replaces `$1` in the next line with the first group of REGEX's last match
in the output when the line is sent, `@raw` sends the next line without the carriage return, `#`
starts a comment, and Python escapes (\x7f, \x03, \x1b[A) stand for the bytes they name.
"""
import argparse
import codecs
import os
import re
import select
import shutil
import subprocess
import sys
import time

# isa-debug-exit turns the value v written by the kernel into exit status (v << 1) | 1.
KERNEL_PASSED = 33
KERNEL_FAILED = 35

# UEFI firmware for --uefi (Debian's ovmf package, which tools/setup.sh installs).
OVMF = "/usr/share/ovmf/OVMF.fd"


def fnv1a(data):
    value = 0xcbf29ce484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return value


def module_expectations(paths):
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        yield re.escape(f"module {name} size {len(data)} fnv1a {fnv1a(data):#018x}")


def qemu_command(args):
    command = [args.qemu, "-machine", "q35", "-m", args.memory, "-display", "none", "-serial", "stdio",
               "-monitor", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if args.uefi:
        command += ["-bios", OVMF]
    if args.cdrom:
        command += ["-cdrom", args.cdrom, "-boot", "d"]
    else:
        command += ["-kernel", args.kernel]
    if args.kvm:
        command += ["-enable-kvm", "-cpu", "host"]
    else:
        command += ["-cpu", "max", "-accel", "tcg"]
    if args.icount:
        command += ["-icount", "shift=0"]
    if args.modules:
        command += ["-initrd", ",".join(args.modules)]
    if args.append:
        command += ["-append", args.append]
    if args.gdb:
        command += ["-s", "-S"]
    return command


class Typist:
    """Sends the input lines to QEMU's serial port, each when its wait pattern has appeared."""

    def __init__(self, steps, stream):
        self.steps = list(steps)  # (wait_regex, bytes, capture_regex or None)
        self.stream = stream
        self.seen_from = 0  # output offset after which the next wait pattern is looked for

    def pending(self):
        return bool(self.steps)

    def advance(self, output):
        text = output.decode("utf-8", "replace")
        while self.steps:
            wait, data, capture = self.steps[0]
            match = re.compile(wait, re.MULTILINE).search(text, self.seen_from)
            if not match:
                return
            self.steps.pop(0)
            self.seen_from = match.end()
            if capture:
                found = re.findall(capture, text, re.MULTILINE)
                data = data.replace(b"$1", found[-1].encode() if found else b"")
            try:
                self.stream.write(data)
                self.stream.flush()
            except BrokenPipeError:
                self.steps = []


def input_steps(args):
    lines = [(line, True, None, None) for line in args.input]
    if args.script:
        wait, raw, capture = None, False, None
        with open(args.script, encoding="utf-8") as f:
            for line in f.read().splitlines():
                if line.startswith("#") or not line.strip() and not raw:
                    continue
                if line.startswith("@wait "):
                    wait = line[len("@wait "):]
                    continue
                if line.startswith("@capture "):
                    capture = line[len("@capture "):]
                    continue
                if line == "@raw":
                    raw = True
                    continue
                lines.append((codecs.decode(line, "unicode_escape"), not raw, wait, capture))
                wait, raw, capture = None, False, None
    for text, enter, wait, capture in lines:
        yield wait or args.prompt, text.encode("latin-1") + (b"\r" if enter else b""), capture


def run(args):
    command = qemu_command(args)
    if args.verbose:
        print("$ " + " ".join(command), flush=True)
    if args.gdb:
        print("QEMU waits for gdb on localhost:1234: run `gdb -x tools/kernel.gdb` in another terminal.", flush=True)
        return subprocess.call(command), "", False
    steps = list(input_steps(args))
    stdin = None if args.interactive else (subprocess.PIPE if steps else subprocess.DEVNULL)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=stdin)
    typist = Typist(steps, process.stdin) if steps else None
    deadline = time.monotonic() + (args.timeout if not args.interactive else 10 ** 9)
    output = bytearray()
    timed_out = False
    until = re.compile(args.until, re.MULTILINE) if args.until else None
    while True:
        if typist and typist.pending():
            typist.advance(output)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            process.kill()
            break
        ready, _, _ = select.select([process.stdout], [], [], min(remaining, 0.5))
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            output += chunk
            sys.stdout.write(chunk.decode("utf-8", "replace").replace("\r", ""))
            sys.stdout.flush()
            if until and until.search(output.decode("utf-8", "replace").replace("\r", "")):
                process.kill()
                break
    status = process.wait()
    if typist and typist.pending():
        args.unsent = f"{len(typist.steps)} input line(s) never sent: no /{typist.steps[0][0]}/ appeared"
    return status, output.decode("utf-8", "replace").replace("\r", ""), timed_out


def judge(args, status, output, timed_out):
    problems = []
    if timed_out:
        what = f"/{args.until}/ had not appeared" if args.until else "QEMU was still running"
        problems.append(f"TIMEOUT: {what} after {args.timeout} s; QEMU was killed")
    elif args.until:
        if not re.search(args.until, output, re.MULTILINE):
            problems.append(f"QEMU stopped (status {status}) before /{args.until}/ appeared")
    else:
        wanted = KERNEL_PASSED if args.expect_status == "pass" else KERNEL_FAILED
        if status != wanted:
            meaning = {KERNEL_PASSED: "the kernel reported success", KERNEL_FAILED: "the kernel reported failure",
                       0: "QEMU stopped without a status from the kernel (triple fault or reset?)"}
            problems.append(f"exit status {status} ({meaning.get(status, 'QEMU failed')}), "
                            f"expected {wanted} ({args.expect_status})")
    if getattr(args, "unsent", None):
        problems.append(args.unsent)
    expectations = list(args.expect) + list(module_expectations(args.modules if args.check_modules else []))
    for pattern in expectations:
        if not re.search(pattern, output, re.MULTILINE):
            problems.append(f"missing from the output: /{pattern}/")
    rejects = list(args.reject)
    if args.expect_status == "pass":
        rejects.append(r"KERNEL PANIC")
    for pattern in rejects:
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            problems.append(f"unexpected in the output: {match.group(0)!r}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qemu", default=shutil.which("qemu-system-x86_64") or "qemu-system-x86_64")
    boot = parser.add_mutually_exclusive_group(required=True)
    boot.add_argument("--kernel", help="the kernel image, loaded by QEMU's Multiboot loader")
    boot.add_argument("--cdrom", metavar="ISO", help="boot this ISO instead (tools/iso.sh): no --module, --append")
    parser.add_argument("--uefi", action="store_true", help=f"boot the --cdrom ISO through UEFI firmware ({OVMF})")
    parser.add_argument("--module", dest="modules", action="append", default=[])
    parser.add_argument("--append", default="")
    parser.add_argument("--memory", default="256M")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--expect-status", choices=["pass", "fail"], default="pass")
    parser.add_argument("--expect", action="append", default=[], help="a regex the output must contain")
    parser.add_argument("--reject", action="append", default=[], help="a regex the output must not contain")
    parser.add_argument("--check-modules", action="store_true",
                        help="expect a 'module NAME size N fnv1a H' line for every module")
    parser.add_argument("--until", metavar="REGEX",
                        help="stop QEMU when the output matches, and judge what came before (not the status)")
    parser.add_argument("--icount", action="store_true", help="guest time counts instructions (-icount shift=0)")
    parser.add_argument("--kvm", action="store_true", help="opt in to KVM instead of TCG")
    parser.add_argument("--gdb", action="store_true", help="start halted, waiting for gdb on port 1234")
    parser.add_argument("--input", action="append", default=[],
                        help="a line to type on the serial console once the prompt appears (repeatable)")
    parser.add_argument("--script", help="a file of lines to type (see above)")
    parser.add_argument("--interactive", action="store_true",
                        help="this terminal types on the serial console (QEMU reads it), and no timeout applies")
    parser.add_argument("--prompt", default=r"poplar> ", help="the regex each typed line waits for")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.cdrom and (args.modules or args.append or args.check_modules):
        parser.error("--cdrom boots the ISO's own command line and modules: no --module, --append, --check-modules")
    if args.uefi and not args.cdrom:
        parser.error("--uefi boots an ISO: give --cdrom")
    if args.uefi and not os.path.exists(OVMF):
        parser.error(f"--uefi needs {OVMF}: tools/setup.sh installs it (ovmf)")

    status, output, timed_out = run(args)
    if args.gdb:
        return status
    problems = judge(args, status, output, timed_out)
    if problems:
        print("\nQEMU TEST FAILED:\n  " + "\n  ".join(problems), flush=True)
        return 1
    print("\nQEMU TEST PASSED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
