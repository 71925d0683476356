#!/bin/sh
# Regenerates the DSL source of Docker's default profile from the vendored
# copy of moby's profiles/seccomp/default.json, with this project's importer,
# its native-ABI-only variant (the same profile without `archMap`, imported
# as such, so that its acknowledgements are those of the native ABIs), and
# the hardened variants of both.
set -eu
here=$(dirname "$0")
cd "$here/../../.."
profiles=seccomp-dsl/src/profiles
moby=seccomp-dsl-core/data/docker-default.json
import() {
    cargo run -q -p seccomp-dsl-cli -- import "$1" -o "$2"
}
import "$moby" "$profiles/docker_default.policy.rs"
python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); p.pop("archMap"); print(json.dumps(p))' "$moby" |
    import - "$profiles/docker_default_native.policy.rs"
# The hardened variants: every argument compared as the kernel reads it (no
# `as u64`), which closes the socket bypass and decides every call whose
# narrow arguments are extended as their type is exactly as moby's does;
# the acknowledgements of 64-bit comparisons go with them.
harden() {
    sed -e 's/ as u64//' -e '/#\[allow(upper_half_bypass)\]/d' -e '/^    \/\/ 64 bits of a narrower argument compared/d' \
        -e '/#\[allow(x32_low_halves)\]/d' -e '/^    \/\/ On x32, engines compare only/d' \
        -e '/#\[allow(libseccomp_miscompiles)\]/d' -e '/^    \/\/ libseccomp .* may miscompile/d' \
        "$1" | cat -s
}
harden "$profiles/docker_default.policy.rs" > "$profiles/docker_default_hardened.policy.rs"
harden "$profiles/docker_default_native.policy.rs" > "$profiles/docker_default_hardened_native.policy.rs"
