//! Compile-time guards: every policy under `tests/ui/` must be rejected with
//! exactly the diagnostics in its committed `.stderr` snapshot.

#[test]
fn policies_with_errors_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/ui/*.rs"));
    // And what they must not reject.
    cases.pass(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/ui/pass/*.rs"
    ));
}
