//! A small service of the kind whose policy `seccomp-dsl record` learns:
//! four std worker threads checksum their share of the work and report
//! over a channel, then a tokio runtime serves TCP echo on 127.0.0.1 and
//! talks to itself through it.
//!
//! `echo-service` prints the checksums and the echoed lines;
//! `echo-service --interfaces` also lists the network interfaces (which
//! asks the kernel over a netlink socket); `echo-service --load N` then
//! sends N lines more over four connections at once, and says how many
//! came back.
//!
//! Built with the feature `installed`, it installs the policy the file
//! `ECHO_SERVICE_POLICY` named at build time (`policy.rs` by default) at
//! the top of `main`: what ran before (the program's start) is then the
//! policy's `startup { ... }` part, which `seccomp-dsl record` finds by
//! itself.

use std::sync::mpsc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[cfg(feature = "installed")]
static POLICY: seccomp_dsl::Profile = include!(concat!(env!("OUT_DIR"), "/policy.rs"));

const WORKERS: u64 = 4;
const LINES: [&str; 3] = ["hello", "seccomp", "goodbye"];

fn main() -> std::io::Result<()> {
    // At the top of `main`: every thread starts under the policy, so what
    // runs before it is the program's start alone, the same in every run.
    #[cfg(feature = "installed")]
    POLICY.install().map_err(std::io::Error::other)?;
    let (sender, receiver) = mpsc::channel();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let sender = sender.clone();
            std::thread::spawn(move || {
                let sum = (worker * 1000..(worker + 1) * 1000)
                    .fold(0u64, |sum, n| sum.wrapping_mul(31).wrapping_add(n));
                sender.send((worker, sum)).expect("the receiver waits");
            })
        })
        .collect();
    drop(sender);
    let mut sums: Vec<(u64, u64)> = receiver.iter().collect();
    sums.sort();
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    for (worker, sum) in sums {
        println!("worker {worker}: {sum:#018x}");
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    for echoed in runtime.block_on(echo_through_a_server())? {
        println!("echo: {echoed}");
    }

    let arguments: Vec<String> = std::env::args().collect();
    if let Some(at) = arguments.iter().position(|argument| argument == "--load") {
        let lines: usize = (arguments.get(at + 1))
            .and_then(|count| count.parse().ok())
            .ok_or_else(|| std::io::Error::other("--load takes a number of lines"))?;
        let echoed = runtime.block_on(load(lines))?;
        println!("load: {echoed} of {lines} lines echoed over {CONNECTIONS} connections");
    }

    if arguments.iter().any(|argument| argument == "--interfaces") {
        for name in interfaces()? {
            println!("interface: {name}");
        }
    }
    Ok(())
}

/// The connections [`load`] sends over at once.
const CONNECTIONS: usize = 4;

/// An echo server on a free port of 127.0.0.1 for [`CONNECTIONS`] clients
/// at once, sent `lines` lines in all: how many came back as sent.
async fn load(lines: usize) -> std::io::Result<usize> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let mut served = Vec::new();
        for _ in 0..CONNECTIONS {
            let (mut stream, _) = listener.accept().await?;
            served.push(tokio::spawn(async move {
                let (reader, mut writer) = stream.split();
                let mut lines = BufReader::new(reader).lines();
                while let Some(line) = lines.next_line().await? {
                    writer.write_all(format!("{line}\n").as_bytes()).await?;
                }
                Ok::<_, std::io::Error>(())
            }));
        }
        for connection in served {
            connection.await.expect("a connection task panicked")?;
        }
        Ok::<_, std::io::Error>(())
    });
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|client| {
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(address).await?;
                let (reader, mut writer) = stream.split();
                let mut replies = BufReader::new(reader).lines();
                let mut echoed = 0;
                for n in (client..lines).step_by(CONNECTIONS) {
                    let line = format!("line {n}");
                    writer.write_all(format!("{line}\n").as_bytes()).await?;
                    echoed += usize::from(replies.next_line().await?.as_deref() == Some(&line));
                }
                writer.shutdown().await?;
                Ok::<_, std::io::Error>(echoed)
            })
        })
        .collect();
    let mut echoed = 0;
    for client in clients {
        echoed += client.await.expect("a client task panicked")?;
    }
    server.await.expect("the server task panicked")?;
    Ok(echoed)
}

/// Starts an echo server on a free port of 127.0.0.1, sends it each of
/// [`LINES`] and returns what came back.
async fn echo_through_a_server() -> std::io::Result<Vec<String>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        let (reader, mut writer) = stream.split();
        let mut lines = BufReader::new(reader).lines();
        while let Some(line) = lines.next_line().await? {
            writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut client = TcpStream::connect(address).await?;
    client.set_nodelay(true)?;
    let (reader, mut writer) = client.split();
    let mut replies = BufReader::new(reader).lines();
    let mut echoed = Vec::new();
    for line in LINES {
        writer.write_all(format!("{line}\n").as_bytes()).await?;
        echoed.push(replies.next_line().await?.unwrap_or_default());
    }
    writer.shutdown().await?;
    server.await.expect("the server task panicked")?;
    Ok(echoed)
}

/// The names of the network interfaces, from the C library (which asks
/// the kernel over an `AF_NETLINK` socket).
fn interfaces() -> std::io::Result<Vec<String>> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list`, freed below.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let mut names = Vec::new();
    let mut entry = list;
    while !entry.is_null() {
        // SAFETY: a node of the list getifaddrs made; its name is a C string.
        unsafe {
            let name = std::ffi::CStr::from_ptr((*entry).ifa_name);
            names.push(name.to_string_lossy().into_owned());
            entry = (*entry).ifa_next;
        }
    }
    // SAFETY: the list getifaddrs made, no longer used.
    unsafe { libc::freeifaddrs(list) };
    names.sort();
    names.dedup();
    Ok(names)
}
