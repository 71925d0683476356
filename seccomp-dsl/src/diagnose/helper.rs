//! The thread that answers a diagnostic filter's notifications: started
//! before the filter is loaded (so that its own calls are not filtered),
//! handed the listener without a system call (until it has it, every
//! notified call waits), and answering until no thread is left under the
//! filter.

use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use crate::supervise::{self, Call, Reply};
use crate::Error;

/// What the helper finds where the listener's descriptor goes, before it
/// is there, or when the filter could not be loaded.
const WAITING: i32 = -1;
const NOT_LOADED: i32 = -2;

/// A started helper, waiting for its listener.
pub(crate) struct Helper {
    listener: Arc<AtomicI32>,
}

impl Helper {
    /// Starts the thread `name`, which answers each notified call with
    /// `handler` once it has the listener.
    pub(crate) fn start(
        name: &str,
        mut handler: impl FnMut(&Call) -> Reply + Send + 'static,
    ) -> Result<Helper, Error> {
        let listener = Arc::new(AtomicI32::new(WAITING));
        let handed = Arc::clone(&listener);
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                // A kill the helper sends its own process must land
                // whatever the program's threads block.
                // SAFETY: changes this thread's signal mask only.
                unsafe {
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigaddset(&mut set, libc::SIGSYS);
                    libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                }
                let fd = loop {
                    match handed.load(Ordering::Acquire) {
                        WAITING => std::thread::sleep(std::time::Duration::from_micros(100)),
                        NOT_LOADED => return,
                        fd => break fd,
                    }
                };
                // SAFETY: the descriptor `hand` was given, for this thread
                // alone.
                let listener = unsafe { OwnedFd::from_raw_fd(fd) };
                let _ = supervise::supervise(&listener, &mut handler);
            })
            .map_err(Error::Report)?;
        Ok(Helper { listener })
    }

    /// Hands the helper the listener of the loaded filter, or tells it
    /// there is none (it ends).
    pub(crate) fn hand(self, loaded: Result<OwnedFd, Error>) -> Result<(), Error> {
        match loaded {
            Ok(fd) => {
                self.listener.store(fd.into_raw_fd(), Ordering::Release);
                Ok(())
            }
            Err(error) => {
                self.listener.store(NOT_LOADED, Ordering::Release);
                Err(error)
            }
        }
    }
}

/// How many threads the process has now (`/proc/self/status`).
pub(crate) fn thread_count() -> Option<usize> {
    crate::inspect::status_field(std::process::id() as i32, "Threads")
        .ok()
        .flatten()
        .and_then(|value| value.parse().ok())
}
