//! Embeds a policy, writes its Docker profile, installs it, and shows an
//! allowed and two denied calls.
//!
//! Run with `cargo run --example quickstart`.

use std::io::ErrorKind;

use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    // The program's own policy, for `install()`: it denies what a container
    // runtime calls to start a program (`execve`, ...).
    #[allow(engine_cannot_start, stops_exit)]
    default errno;
    // What this program itself needs after `install()`: printing,
    // memory, exiting.
    allow write, brk, mmap, munmap, sigaltstack, futex, exit_group;
    rule personality(arg0 == 0x0) => allow;
    errno(EACCES) openat, open;
    forbid ptrace, execve;
};

fn main() {
    let profile_path = std::env::current_exe()
        .expect("path of this program")
        .with_file_name("quickstart-profile.json");
    seccomp_dsl::export::write_docker_json(&POLICY, &profile_path)
        .expect("write the Docker profile");
    println!("Docker profile: {}", profile_path.display());
    // This policy is the program's own: it denies `execve` and the calls a
    // container runtime makes to start a program, so an engine given this
    // profile would not start one (see the README's "Container engines").
    println!(
        "  (the same policy as a profile: `docker run --security-opt seccomp={}` would \
         deny the runtime's own calls; a container's profile must allow them)",
        profile_path.display()
    );

    if let Err(error) = POLICY.install() {
        eprintln!("{error}");
        std::process::exit(1);
    }
    println!("policy installed on every thread");

    // SAFETY: personality only reads or sets the process's execution domain.
    let persona = unsafe { libc::personality(0) };
    println!("allowed: personality(0) = {persona:#x}");

    let denied = unsafe { libc::personality(0x0008) };
    let errno = std::io::Error::last_os_error();
    println!("denied:  personality(0x8) = {denied} ({errno})");

    match std::fs::File::open("/etc/hostname") {
        Ok(_) => println!("unexpected: /etc/hostname opened"),
        Err(error) if error.kind() == ErrorKind::PermissionDenied => {
            println!("denied:  open(\"/etc/hostname\") failed: {error}")
        }
        Err(error) => println!("open(\"/etc/hostname\") failed otherwise: {error}"),
    }
}
