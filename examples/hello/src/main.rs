//! The smallest Rust program worth a policy: builds a greeting on the heap
//! and prints it; `hello panic` panics instead (exit status 101).
//! The `@rust_std` syscall group is proven on it, for glibc and musl.

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "world".to_string());
    if name == "panic" {
        panic!("asked to panic");
    }
    let greeting: Vec<String> = ["hello", ",", " ", &name]
        .iter()
        .map(|part| part.to_string())
        .collect();
    println!("{}", greeting.concat());
}
