#!/bin/sh
# Regenerates the DSL source of Docker's default profile from the vendored
# copy of moby's profiles/seccomp/default.json, with this project's importer,
# and its native-ABI-only variant (the same without `arch_map`).
set -eu
here=$(dirname "$0")
cd "$here/../../.."
profiles=seccomp-dsl/src/profiles
cargo run -q -p seccomp-dsl-cli -- import "$profiles/docker-default.json" -o "$profiles/docker_default.policy.rs"
grep -v '^    arch_map ' "$profiles/docker_default.policy.rs" > "$profiles/docker_default_native.policy.rs"
