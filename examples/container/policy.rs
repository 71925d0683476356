// A container's policy, shipped to Docker, podman, containerd, Kubernetes and
// runc from this one file (README: "Shipping a policy to containers"). It
// keeps what a container may usually do and takes away what a service never
// needs: new namespaces, mounts, tracing, kernel keyrings, BPF and raw
// packets. `default allow` leaves the runtime's own calls alone; other ABIs
// (i386's `int 0x80`, x32) are killed, as no statement covers them.
seccomp_dsl::seccomp_profile! {
    default allow;
    errno(EPERM) unshare, setns, mount, umount2, pivot_root, ptrace, process_vm_readv,
        process_vm_writev, keyctl, add_key, request_key, bpf, perf_event_open;
    rule socket(arg0 == AF_PACKET) => errno(EACCES);
}
