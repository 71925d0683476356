//! How long `seccomp_profile!` takes to expand Docker's default profile:
//! parse, lower, check, compile the BPF presets, emit.
//!
//! `cargo bench -p seccomp-dsl-macros --bench expansion`
//!
//! A proc-macro crate exports nothing but its macros, so the benchmark
//! builds the macro's own modules into itself.

#[path = "../src/expand.rs"]
mod expand;
#[path = "../src/pipeline.rs"]
mod pipeline;

use criterion::{criterion_group, criterion_main, Criterion};
use proc_macro2::{TokenStream, TokenTree};

/// The tokens inside `seccomp_profile! { ... }` of Docker's default, as
/// the importer writes moby's profile.
fn docker_default() -> TokenStream {
    let moby = seccomp_dsl_core::docker::MOBY_DEFAULT;
    let source = seccomp_dsl_core::dsl::import_docker_to_source(moby).expect("moby's imports");
    let tokens: TokenStream = source.parse().expect("the policy tokenizes");
    match tokens.into_iter().last() {
        Some(TokenTree::Group(body)) => body.stream(),
        _ => panic!("expected `seccomp_profile! {{ ... }}`"),
    }
}

fn expansion(c: &mut Criterion) {
    let input = docker_default();
    let output = pipeline::expand_policy(input.clone()).to_string();
    assert!(
        output.contains("__from_macro"),
        "Docker's default expands without errors"
    );
    c.bench_function("expand Docker's default", |b| {
        b.iter(|| pipeline::expand_policy(input.clone()))
    });
}

criterion_group!(benches, expansion);
criterion_main!(benches);
