#!/usr/bin/env python3
"""Generates table.rs: how many arguments each syscall takes on the 64-bit
ABIs, and how wide each one is as the kernel reads it.

Run from anywhere: python3 seccomp-dsl-core/src/tables/signatures/generate.py [HEADERS]
HEADERS is a kernel headers tree (Debian: linux-headers-*-common, installed
under /usr/src); by default the newest /usr/src/linux-headers-*-common.

Source: the kernel's own declarations, `asmlinkage long sys_NAME(...)` in
include/linux/syscalls.h. SYSCALL_DEFINE casts each register to the declared
type, so an `int` argument is the register's low 32 bits whatever the upper
half holds, and a `umode_t` its low 16 bits. The syscalls that header does
not declare (architecture-specific ones, and the newest) are in SUPPLEMENT,
each with the kernel source file that defines it. Names of the syscall table
(data/syscalls.csv) with neither are listed as unknown in the output: their
arguments are compared on 64 bits and their count is not checked.
"""
import csv
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
CSV = HERE.parent.parent.parent / "data" / "syscalls.csv"
OUT = HERE / "table.rs"

# The ABIs whose registers are 64 bits wide: their syscalls are declared as
# in syscalls.h. (32-bit ABIs read every argument as 32 bits.)
WIDE_ABIS = ["x86_64", "aarch64", "riscv64", "loongarch64", "s390x", "ppc64", "mips64", "parisc64"]

# Table name -> the kernel's function name, where they differ.
KERNEL_NAMES = {
    "stat": "newstat", "lstat": "newlstat", "fstat": "newfstat", "newfstatat": "newfstatat",
    "uname": "newuname", "umount2": "umount", "umount": "oldumount", "_llseek": "llseek",
    "_newselect": "select", "readdir": "old_readdir", "ugetrlimit": "getrlimit",
}

# Syscalls syscalls.h does not declare: (declaration, where the kernel defines it).
SUPPLEMENT = {
    "arch_prctl": ("int option, unsigned long arg2", "arch/x86/kernel/process_64.c"),
    "mmap": ("unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags, "
             "unsigned long fd, unsigned long off", "arch/x86/kernel/sys_x86_64.c, arch/arm64/kernel/sys.c"),
    "rt_sigreturn": ("void", "arch/x86/kernel/signal_64.c, arch/arm64/kernel/signal.c"),
    "iopl": ("unsigned int level", "arch/x86/kernel/ioport.c"),
    "modify_ldt": ("int func, void __user *ptr, unsigned long bytecount", "arch/x86/kernel/ldt.c"),
    "get_thread_area": ("struct user_desc __user *u_info", "arch/x86/kernel/tls.c"),
    "set_thread_area": ("struct user_desc __user *u_info", "arch/x86/kernel/tls.c"),
    "uprobe": ("void", "arch/x86/kernel/uprobes.c"),
    "setxattrat": ("int dfd, const char __user *pathname, unsigned int at_flags, "
                   "const char __user *name, const struct xattr_args __user *uargs, size_t usize",
                   "fs/xattr.c (6.13)"),
    "getxattrat": ("int dfd, const char __user *pathname, unsigned int at_flags, "
                   "const char __user *name, struct xattr_args __user *uargs, size_t usize",
                   "fs/xattr.c (6.13)"),
    "listxattrat": ("int dfd, const char __user *pathname, unsigned int at_flags, "
                    "char __user *list, size_t size", "fs/xattr.c (6.13)"),
    "removexattrat": ("int dfd, const char __user *pathname, unsigned int at_flags, "
                      "const char __user *name", "fs/xattr.c (6.13)"),
    "open_tree_attr": ("int dfd, const char __user *filename, unsigned flags, "
                       "struct mount_attr __user *uattr, size_t usize", "fs/namespace.c (6.15)"),
    "file_getattr": ("int dfd, const char __user *filename, struct file_attr __user *ufattr, "
                     "size_t usize, unsigned int at_flags", "fs/file_attr.c (6.17)"),
    "file_setattr": ("int dfd, const char __user *filename, struct file_attr __user *ufattr, "
                     "size_t usize, unsigned int at_flags", "fs/file_attr.c (6.17)"),
}

# C type -> (bits the kernel reads, signed). Pointers are 64 bits.
TYPES = {
    "int": (32, True), "pid_t": (32, True), "clockid_t": (32, True), "timer_t": (32, True),
    "mqd_t": (32, True), "key_serial_t": (32, True), "key_t": (32, True), "rwf_t": (32, True),
    "__s32": (32, True),
    "unsigned": (32, False), "unsigned int": (32, False), "u32": (32, False), "__u32": (32, False),
    "uint32_t": (32, False), "uid_t": (32, False), "gid_t": (32, False), "qid_t": (32, False),
    "enum landlock_rule_type": (32, False),
    "umode_t": (16, False), "old_uid_t": (16, False), "old_gid_t": (16, False),
    "long": (64, True), "unsigned long": (64, False), "size_t": (64, False), "off_t": (64, True),
    "loff_t": (64, True), "u64": (64, False), "__u64": (64, False), "aio_context_t": (64, False),
    "old_sigset_t": (64, False), "cap_user_header_t": (64, False), "cap_user_data_t": (64, False),
    "__sighandler_t": (64, False),
}


def headers_dir():
    if len(sys.argv) > 1:
        return pathlib.Path(sys.argv[1])
    found = sorted(pathlib.Path("/usr/src").glob("linux-headers-*-common"))
    if not found:
        raise SystemExit("no /usr/src/linux-headers-*-common: install a Debian linux-headers-*-common package")
    return found[-1]


def declarations(header):
    text = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
    found = {}
    for match in re.finditer(r"asmlinkage\s+long\s+sys_(\w+)\s*\(([^;]*?)\)\s*;", text, flags=re.S):
        # The first declaration wins; alternatives under #ifdef (clone's
        # argument orders) have the same widths on every 64-bit ABI.
        found.setdefault(match.group(1), " ".join(match.group(2).split()))
    return found


def parse_parameter(parameter):
    """(C type as declared, name or '', bits, signed)."""
    text = parameter.replace("__user", " ").strip()
    text = " ".join(text.split())
    if "*" in text or "(" in text:
        name = re.sub(r".*[*\s]", "", text) if not text.endswith("*") else ""
        ctype = text[: len(text) - len(name)].strip() if name else text
        return ctype.replace(" *", "*"), name, 64, False
    plain = re.sub(r"\bconst\b", "", text).split()
    for split in (len(plain), len(plain) - 1):
        ctype = " ".join(plain[:split])
        if ctype in TYPES:
            bits, signed = TYPES[ctype]
            return ctype, " ".join(plain[split:]), bits, signed
    raise SystemExit(f"no width known for the C type of `{parameter}`: add it to TYPES")


def signature(declaration):
    if declaration.strip() == "void":
        return []
    return [parse_parameter(p) for p in declaration.split(",")]


def main():
    root = headers_dir()
    declared = declarations(root / "include" / "linux" / "syscalls.h")
    with CSV.open(newline="") as f:
        rows = list(csv.reader(f))
    arches = rows[0][1::2]
    names = sorted(
        row[0] for row in rows[1:]
        if any(number != "PNR" for arch, number in zip(arches, row[1::2]) if arch in WIDE_ABIS)
    )
    known, unknown = [], []
    for name in names:
        kernel_name = KERNEL_NAMES.get(name, name)
        if name in SUPPLEMENT:
            known.append((name, signature(SUPPLEMENT[name][0])))
        elif kernel_name in declared:
            known.append((name, signature(declared[kernel_name])))
        else:
            unknown.append(name)
    out = [
        "// @generated by generate.py from the kernel's include/linux/syscalls.h; do not edit.",
        f"// Source: {root.name}, plus generate.py's SUPPLEMENT.",
        "",
        "use super::{Argument, Signature};",
        "",
        "const fn arg(c_type: &'static str, name: &'static str, bits: u8, signed: bool) -> Argument {",
        "    Argument { c_type, name, bits, signed }",
        "}",
        "",
        "/// Every syscall of the 64-bit ABIs whose declaration is known, sorted by name.",
        "#[rustfmt::skip]",
        f"pub static SIGNATURES: [Signature; {len(known)}] = [",
    ]
    for name, args in known:
        rendered = ", ".join(f'arg("{t}", "{n}", {b}, {str(s).lower()})' for t, n, b, s in args)
        out.append(f'    Signature {{ name: "{name}", arguments: &[{rendered}] }},')
    out += ["];", "",
            "/// Syscalls of the 64-bit ABIs with no declaration in the source: unimplemented,",
            "/// removed, or specific to one architecture. Their arguments are compared on 64 bits.",
            "#[rustfmt::skip]",
            f"pub static UNKNOWN: [&str; {len(unknown)}] = ["]
    out += [f'    "{name}",' for name in unknown]
    out += ["];", ""]
    OUT.write_text("\n".join(out))
    print(f"wrote {OUT} ({len(known)} signatures, {len(unknown)} unknown)")


if __name__ == "__main__":
    main()
