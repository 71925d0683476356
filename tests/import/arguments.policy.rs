seccomp_dsl::seccomp_profile! {
    default kill_process;

    allow exit_group;
    rule getpid(arg0 == 1 && arg1 & 0xff00 == 4608) => allow;
    rule getpid(arg0 == 2 && arg2 > 0xffffffff) => errno(EACCES);
    rule getpid(arg0 == 3 && arg5 != 0x8000000000000000) => log;
    errno(E2BIG) getppid, getpgrp if arg3 < 4;
    allow getppid, getpgrp if arg3 >= 4 && arg4 <= 100;
    rule mmap(arg2 & 4 == 0) => allow;
    rule mprotect(arg2 & 3 == 3) => allow;
}
