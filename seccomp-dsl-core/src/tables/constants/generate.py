#!/usr/bin/env python3
"""Generates table.rs: the named constants the DSL accepts as argument values.

Run from anywhere: python3 seccomp-dsl-core/src/tables/constants/generate.py
Needs gcc and the Linux UAPI headers (Debian: linux-libc-dev). Values are
taken by compiling and running a C program against the headers, so they are
the kernel's own numbers, not transcriptions.

A policy is one source for every architecture, so a name whose value differs
between architectures would silently mean different things on each. The
names below that do so (checked against arch/arm, arch/arm64 and
arch/powerpc's uapi/asm/fcntl.h, which override asm-generic) are left out;
policies must spell those values out as numbers.
"""
import pathlib
import re
import subprocess
import tempfile

# The C library declares some names (MREMAP_MAYMOVE) only for GNU programs.
PREAMBLE = "#define _GNU_SOURCE\n"

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "table.rs"

# Options whose number depends on the size of the C library's time_t, so
# differs between 32-bit and 64-bit programs on one kernel.
TIME_T_DEPENDENT = {"SO_RCVTIMEO", "SO_SNDTIMEO", "SO_TIMESTAMP", "SO_TIMESTAMPNS",
                    "SO_TIMESTAMPING"}

# (group name, doc, header, name pattern, names to leave out)
GROUPS = [
    ("ERRNO", "Error numbers (asm-generic/errno.h).", "asm-generic/errno.h", r"E[A-Z0-9]+", set()),
    ("ADDRESS_FAMILIES", "Socket address families (sys/socket.h).", "sys/socket.h", r"AF_[A-Z0-9_]+",
     {"AF_MAX"}),
    ("CLONE_FLAGS", "clone(2) flags (linux/sched.h).", "linux/sched.h", r"CLONE_[A-Z0-9_]+",
     {"CLONE_ARGS_SIZE_VER0", "CLONE_ARGS_SIZE_VER1", "CLONE_ARGS_SIZE_VER2"}),
    ("PRCTL_OPTIONS", "prctl(2) options and their arguments (linux/prctl.h).", "linux/prctl.h",
     r"PR_[A-Z0-9_]+", set()),
    ("OPEN_FLAGS", "open(2) flags (linux/fcntl.h) whose value is the same on every architecture.",
     "linux/fcntl.h", r"O_[A-Z0-9_]+",
     {"O_DIRECTORY", "O_NOFOLLOW", "O_DIRECT", "O_LARGEFILE", "O_TMPFILE"}),
    ("SOCKET_TYPES", "Socket types and their flags (sys/socket.h).", "sys/socket.h",
     r"SOCK_[A-Z]+", set()),
    ("SOCKET_OPTIONS", "Socket option levels and `SOL_SOCKET` options (sys/socket.h).",
     "sys/socket.h", r"SOL?_[A-Z0-9_]+", TIME_T_DEPENDENT),
    ("IP_PROTOCOLS", "IP protocols, also option levels (netinet/in.h).", "netinet/in.h",
     r"IPPROTO_[A-Z0-9]+", {"IPPROTO_MAX"}),
    ("TCP_OPTIONS", "`IPPROTO_TCP` socket options (netinet/tcp.h).", "netinet/tcp.h",
     r"TCP_[A-Z0-9_]+", {"TCP_MSS", "TCP_MAXWIN", "TCP_MAX_WINSHIFT"}),
    ("FCNTL_COMMANDS", "fcntl(2) commands and their arguments (linux/fcntl.h).", "linux/fcntl.h",
     r"F_[A-Z0-9_]+|FD_CLOEXEC", set()),
    ("AT_FLAGS", "`*at` syscalls' directory and flags (linux/fcntl.h).", "linux/fcntl.h",
     r"AT_[A-Z0-9_]+", set()),
    ("MEMORY", "mmap(2), mprotect(2), madvise(2), mlockall(2), mremap(2) and memfd_create(2) "
     "values (sys/mman.h).", "sys/mman.h", r"(PROT|MAP|MADV|MCL|MREMAP|MFD)_[A-Z0-9_]+",
     {"MAP_FAILED", "MAP_32BIT", "MAP_HUGE_SHIFT", "MAP_HUGE_MASK"}),
    ("IOCTL_REQUESTS", "Terminal and file ioctl(2) requests (sys/ioctl.h).", "sys/ioctl.h",
     r"(TC[A-Z]+[0-9]*|TIOC[A-Z0-9]+|FIO[A-Z]+)", set()),
    ("FUTEX_OPS", "futex(2) operations and flags (linux/futex.h).", "linux/futex.h",
     r"FUTEX_[A-Z0-9_]+", {"FUTEX_WAITV_MAX"}),
    ("EPOLL", "epoll_create1(2) flags and epoll_ctl(2) operations (sys/epoll.h).", "sys/epoll.h",
     r"EPOLL_CTL_[A-Z]+|EPOLL_CLOEXEC", set()),
    ("EVENTFD_FLAGS", "eventfd2(2) flags (sys/eventfd.h).", "sys/eventfd.h", r"EFD_[A-Z]+", set()),
    ("GETRANDOM_FLAGS", "getrandom(2) flags (sys/random.h).", "sys/random.h", r"GRND_[A-Z]+",
     set()),
    ("CLOCKS", "Clock ids of clock_gettime(2), clock_nanosleep(2) and timers (time.h).", "time.h",
     r"CLOCK_[A-Z_]+", set()),
    ("SHUTDOWN_HOW", "shutdown(2) directions (sys/socket.h).", "sys/socket.h", r"SHUT_[A-Z]+",
     set()),
    ("SEEK_WHENCE", "lseek(2) origins (unistd.h).", "unistd.h", r"SEEK_[A-Z]+", set()),
    ("WAIT_OPTIONS", "wait4(2) and waitid(2) options (sys/wait.h).", "sys/wait.h",
     r"W(NOHANG|UNTRACED|STOPPED|EXITED|CONTINUED|NOWAIT)", set()),
    # Not an argument value: the names rule conditions test (`when cap(...)`).
    ("CAPABILITIES", "Capabilities (linux/capability.h), for rule conditions.", "linux/capability.h",
     r"CAP_[A-Z0-9_]+", {"CAP_LAST_CAP"}),
]


def macro_names(header, pattern):
    src = f"{PREAMBLE}#include <{header}>\n"
    out = subprocess.run(["gcc", "-E", "-dM", "-x", "c", "-"], input=src, text=True,
                         capture_output=True, check=True).stdout
    names = []
    for line in out.splitlines():
        m = re.match(r"#define (\S+)\s+(.+)", line)
        if m and re.fullmatch(pattern, m.group(1)):
            names.append(m.group(1))
    return sorted(set(names))


def is_integer_constant(header, name):
    src = f"{PREAMBLE}#include <{header}>\nunsigned long long v = (unsigned long long)({name});\n" \
          f"_Static_assert(sizeof({name}) <= 8, \"\");\n"
    r = subprocess.run(["gcc", "-c", "-x", "c", "-", "-o", "/dev/null"], input=src, text=True,
                       capture_output=True)
    return r.returncode == 0


def values(header, names):
    body = "".join(f'    printf("%s %llu\\n", "{n}", (unsigned long long)({n}));\n' for n in names)
    src = f"{PREAMBLE}#include <stdio.h>\n#include <{header}>\nint main(void) {{\n{body}    return 0;\n}}\n"
    with tempfile.TemporaryDirectory() as tmp:
        exe = pathlib.Path(tmp) / "probe"
        subprocess.run(["gcc", "-x", "c", "-", "-o", str(exe)], input=src, text=True, check=True)
        out = subprocess.run([str(exe)], text=True, capture_output=True, check=True).stdout
    return [(n, int(v)) for n, v in (line.split() for line in out.splitlines())]


def main():
    out = [
        "// @generated by generate.py from the Linux UAPI headers; do not edit.",
        "",
        "use super::ConstantGroup;",
        "",
    ]
    for group, doc, header, pattern, excluded in GROUPS:
        names = [n for n in macro_names(header, pattern)
                 if n not in excluded and is_integer_constant(header, n)]
        pairs = values(header, names)
        out.append(f"/// {doc}")
        out.append("#[rustfmt::skip]")
        out.append(f"pub static {group}: ConstantGroup = ConstantGroup {{")
        out.append(f'    header: "{header}",')
        out.append("    constants: &[")
        out += [f'        ("{n}", {v:#x}),' for n, v in sorted(pairs, key=lambda p: p[0])]
        out.append("    ],")
        out.append("};")
        out.append("")
        print(f"{group}: {len(pairs)} constants")
    OUT.write_text("\n".join(out))


if __name__ == "__main__":
    main()
