#!/bin/sh
# Regenerates the DSL source of Docker's default profile from the vendored
# copy of moby's profiles/seccomp/default.json, with this project's importer.
set -eu
here=$(dirname "$0")
cd "$here/../../.."
cargo run -q -p seccomp-dsl-cli -- import seccomp-dsl/src/profiles/docker-default.json \
    -o seccomp-dsl/src/profiles/docker_default.policy.rs
