#!/bin/sh
# Regenerates the DSL source of Docker's default profile from the vendored
# copy of moby's profiles/seccomp/default.json, with this project's importer,
# and its native-ABI-only variant (the same without `arch_map`).
set -eu
here=$(dirname "$0")
cd "$here/../../.."
profiles=seccomp-dsl/src/profiles
cargo run -q -p seccomp-dsl-cli -- import seccomp-dsl-core/data/docker-default.json -o "$profiles/docker_default.policy.rs"
# Native-only: no ABI map, so no x32 to acknowledge.
native_only() {
    grep -v -e '^    arch_map ' -e '#\[allow(x32_low_halves)\]' -e '^    // On x32, engines compare only' "$1"
}
native_only "$profiles/docker_default.policy.rs" > "$profiles/docker_default_native.policy.rs"
# The hardened variants: every argument compared as the kernel reads it (no
# `as u64`), which closes the socket bypass and decides every call whose
# narrow arguments are extended as their type is exactly as moby's does;
# the acknowledgements of 64-bit comparisons go with them.
sed -e 's/ as u64//' -e '/#\[allow(upper_half_bypass)\]/d' -e '/^    \/\/ 64 bits of a narrower argument compared/d' \
    -e '/#\[allow(x32_low_halves)\]/d' -e '/^    \/\/ On x32, engines compare only/d' \
    -e '/#\[allow(libseccomp_miscompiles)\]/d' -e '/^    \/\/ libseccomp .* may miscompile/d' \
    "$profiles/docker_default.policy.rs" | cat -s > "$profiles/docker_default_hardened.policy.rs"
native_only "$profiles/docker_default_hardened.policy.rs" > "$profiles/docker_default_hardened_native.policy.rs"
