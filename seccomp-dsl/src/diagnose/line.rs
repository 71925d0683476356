//! Lines a diagnostic mode writes, formatted on the stack and written with
//! one `write(2)`: the thread that writes them answers calls other threads
//! wait in, one of which may hold the allocator's lock.

use std::fmt::Write as _;
use std::os::fd::RawFd;

use seccomp_dsl_core::bpf;
use seccomp_dsl_core::compare::write_call;

use crate::supervise::Call;

/// A line of a report, formatted on the stack.
pub(crate) struct Line {
    bytes: [u8; 2048],
    length: usize,
}

impl Line {
    pub(crate) fn new() -> Line {
        Line {
            bytes: [0; 2048],
            length: 0,
        }
    }

    /// Writes the line to `fd` with one system call, newline included.
    pub(crate) fn send(&mut self, fd: RawFd) {
        if self.length == self.bytes.len() {
            self.length -= 1;
        }
        self.bytes[self.length] = b'\n';
        // SAFETY: writes bytes of our own buffer.
        unsafe { libc::write(fd, self.bytes.as_ptr().cast(), self.length + 1) };
    }
}

impl std::fmt::Write for Line {
    /// Keeps what fits; a line cut short is still worth reading.
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let room = self.bytes.len() - 1 - self.length;
        let take = text.len().min(room);
        self.bytes[self.length..self.length + take].copy_from_slice(&text.as_bytes()[..take]);
        self.length += take;
        Ok(())
    }
}

/// `socket(AF_NETLINK, SOCK_RAW, 0) on x86_64 (thread 12)`: the call with
/// its arguments as the kernel reads them, named where they mean
/// something, as `seccomp-dsl run` writes it.
pub(crate) fn write_named(line: &mut Line, call: &Call) {
    let data = &call.data;
    match (call.abi, call.syscall) {
        (Some(abi), Some(name)) => {
            let _ = write_call(line, name, &data.args, true);
            let _ = write!(line, " on {} (thread {})", abi.name(), call.thread);
        }
        _ => {
            let _ = write!(
                line,
                "syscall {} of ABI {:#x} (thread {})",
                data.nr, data.arch, call.thread
            );
        }
    }
}

/// The process thread `thread` belongs to, from `/proc` (read on the
/// stack); `None` when it is gone.
pub(crate) fn thread_group(thread: u32) -> Option<i32> {
    let mut path = Line::new();
    let _ = write!(path, "/proc/{thread}/status\0");
    let mut buffer = [0u8; 4096];
    // SAFETY: a NUL-terminated path and a buffer of our own.
    let read = unsafe {
        let fd = libc::open(path.bytes.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let read = libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len());
        libc::close(fd);
        read
    };
    let text = std::str::from_utf8(&buffer[..usize::try_from(read).ok()?]).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("Tgid:"))
        .and_then(|value| value.trim().parse().ok())
}

/// Whether `value` answers a call with a kill.
pub(crate) fn kills(value: u32) -> bool {
    matches!(
        value & bpf::ret::ACTION_FULL,
        bpf::ret::KILL_PROCESS | bpf::ret::KILL_THREAD
    )
}
