//! Runs the battery and prints, first, the process's capability sets as
//! `/proc/self/status` shows them, then one line per call:
//! `label<TAB>outcome`, and last [`seccomp_dsl_probe::END`].
//!
//! `syscall-probe hold TOKEN` instead prints `holding TOKEN` and waits, its
//! filters loaded, until it is killed: the suite reads the filters the
//! engine loaded in it. (The wait is a futex wait, which the kernel
//! restarts as it was when a tracer interrupts it.)

fn main() {
    if std::env::args().nth(1).as_deref() == Some("hold") {
        let token = std::env::args().nth(2).unwrap_or_default();
        println!("holding {token}");
        loop {
            std::thread::park();
        }
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines().filter(|line| line.starts_with("Cap")) {
        println!("{line}");
    }
    let cases = match std::env::args().nth(1).as_deref() {
        Some("sockets") => seccomp_dsl_probe::socket_battery(),
        _ => seccomp_dsl_probe::battery(),
    };
    for case in cases {
        println!("{}\t{}", case.label, seccomp_dsl_probe::run(case.call));
    }
    println!("{}", seccomp_dsl_probe::END);
}
