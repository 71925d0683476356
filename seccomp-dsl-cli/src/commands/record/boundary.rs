//! Where a recorded program installs its own policy: `install()` under the
//! recorder makes a marker call ([`seccomp_dsl::recorder`]) and loads a
//! filter that lets every call run, in the scope the policy would have
//! had. A thread is under the installed policy once the kernel counts one
//! filter more for it than the marker's thread had: the kernel itself
//! follows the filter into the threads and processes started later, and
//! through TSYNC into the process's other threads.

use std::collections::BTreeSet;

use seccomp_dsl::recorder::{is_marker, ACKNOWLEDGED};
use seccomp_dsl::supervise::{Call, Reply};

/// What the recorder knows of the program's install.
#[derive(Default)]
pub struct Boundary {
    /// The filters the first marker's thread was under: one more, and a
    /// thread is under the installed policy.
    before: Option<usize>,
    /// Threads seen under it (a filter is never taken away).
    under: BTreeSet<u32>,
}

impl Boundary {
    /// The answer to `call` if it is install()'s marker (the marker is
    /// not a call of the program's, and is not recorded).
    pub fn answer_marker(&mut self, call: &Call) -> Option<Reply> {
        let name = call.syscall?;
        if !is_marker(name, &call.data.args) {
            return None;
        }
        if self.before.is_none() {
            self.before = filters_of(call.thread);
        }
        Some(Reply::Return(ACKNOWLEDGED))
    }

    /// Whether an install was seen.
    pub fn installed(&self) -> bool {
        self.before.is_some()
    }

    /// Whether `thread`, which waits in a call the recorder holds, runs
    /// under the policy the program installed.
    pub fn under_install(&mut self, thread: u32) -> bool {
        let Some(before) = self.before else {
            return false;
        };
        if self.under.contains(&thread) {
            return true;
        }
        let under = filters_of(thread).is_some_and(|filters| filters > before);
        if under {
            self.under.insert(thread);
        }
        under
    }
}

/// How many seccomp filters `thread` is under, as the kernel says
/// (`Seccomp_filters:` of its status).
fn filters_of(thread: u32) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{thread}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Seccomp_filters:"))
        .and_then(|count| count.trim().parse().ok())
}
