//! Installs its policy in the mode its first argument names (`install`,
//! `complain`, `naming`, `thread`: one thread installs it and asks for its
//! parent's id, the first one then asks for its directory; `none`), then
//! works as a data-parallel program does: a pool of threads summing chunks, a
//! channel, a lock, and a child process. Prints `done` and the sum.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

static POLICY: seccomp_dsl::Profile = include!(concat!(env!("OUT_DIR"), "/policy.rs"));

fn work() -> u64 {
    let numbers: Vec<u64> = (1..=100_000).collect();
    let total = Arc::new(Mutex::new(0u64));
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for chunk in numbers.chunks(25_000) {
            let (total, sender) = (Arc::clone(&total), sender.clone());
            scope.spawn(move || {
                let sum: u64 = chunk.iter().sum();
                *total.lock().unwrap() += sum;
                sender.send(sum).unwrap();
            });
        }
    });
    drop(sender);
    let received: u64 = receiver.iter().sum();
    let total = *total.lock().unwrap();
    assert_eq!(received, total);
    total
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let installed = match mode.as_str() {
        "install" => POLICY.install(),
        "complain" => POLICY.install_complain(seccomp_dsl::Report::Stderr),
        "naming" => POLICY.install_naming_kills(),
        "thread" => {
            // One thread under the policy, the first one not: under
            // `record`, what each calls after is told apart.
            let parent = std::thread::spawn(|| {
                POLICY
                    .install_current_thread()
                    .map(|()| std::os::unix::process::parent_id())
            });
            let parent = parent.join().expect("the thread ends");
            let here = std::env::current_dir().expect("the directory is known");
            println!("parent {} in {}", parent.is_ok(), here.display());
            parent.map(|_| ())
        }
        "none" => Ok(()),
        other => panic!("unknown mode `{other}`"),
    };
    installed.expect("the policy installs");
    let sum = work();
    let child = std::process::Command::new("true")
        .status()
        .expect("`true` runs");
    println!("done {sum} {}", child.success());
}
