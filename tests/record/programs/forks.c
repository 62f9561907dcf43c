/* Fork and exec, for the --follow-forks tests.
 *   forks fork   parent: malloc 1001, fork; child: malloc 2001, free the
 *                parent's block, malloc 2002, exit 0; parent: wait,
 *                malloc 1002, exit 9 if the child succeeded.
 *   forks _Fork  the same through _Fork, which runs no pthread_atfork
 *                handlers (as a raw fork or clone system call).
 *   forks exec   malloc 3001, then exec itself as "forks after-exec",
 *                which does malloc 3002 and exits 4.
 *   forks exec-other PATH   malloc 3001, then exec PATH (a program that
 *                does not load the recorder).
 *   forks exec-fail PATH    vfork a child that execs PATH, exec a program
 *                that does not exist (fails), malloc 3003 and exit 4.
 *   forks daemon change directory, close every descriptor above 2, then
 *                allocate 40 MB worth of records (the recorder must grow
 *                its file) and open files that reuse the low descriptor
 *                numbers; exits 0 if those files are untouched.
 *   forks xfsz PATH  allocate 24 MB worth of records, check that SIGXFSZ
 *                is neither blocked nor pending nor ignored (else exit 1),
 *                then write 4 MB to PATH: under a smaller file size limit
 *                it dies of SIGXFSZ (exit 2 if a write fails instead).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void* volatile sink;

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "fork";
  if (strcmp(mode, "after-exec") == 0) {
    sink = malloc(3002);
    return 4;
  }
  if (strcmp(mode, "exec") == 0) {
    sink = malloc(3001);
    execl("/proc/self/exe", argv[0], "after-exec", (char*)NULL);
    return 1;
  }
  if (strcmp(mode, "exec-other") == 0 && argc > 2) {
    sink = malloc(3001);
    execv(argv[2], argv + 2);
    return 1;
  }
  if (strcmp(mode, "exec-fail") == 0 && argc > 2) {
    pid_t child = vfork();
    if (child == 0) {
      execv(argv[2], argv + 2);
      _exit(127);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0) return 1;
    execl("/nonexistent/program", "program", (char*)NULL);
    sink = malloc(3003);
    return 4;
  }
  if (strcmp(mode, "xfsz") == 0 && argc > 2) {
    for (long i = 0; i < 300000; ++i) free(malloc(16));
    sigset_t mask, pending;
    struct sigaction action;
    if (sigprocmask(SIG_BLOCK, NULL, &mask) != 0 || sigismember(&mask, SIGXFSZ)) return 1;
    if (sigpending(&pending) != 0 || sigismember(&pending, SIGXFSZ)) return 1;
    if (sigaction(SIGXFSZ, NULL, &action) != 0 || action.sa_handler != SIG_DFL) return 1;
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static char block[65536];
    for (long done = 0; fd >= 0 && done < 64 * (long)sizeof block;) {
      ssize_t n = write(fd, block, sizeof block); /* short at the limit, then SIGXFSZ */
      if (n <= 0) return 2;
      done += n;
    }
    return 0;
  }
  if (strcmp(mode, "daemon") == 0) {
    if (chdir("/") != 0) return 1;
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    int mine = open("/dev/null", O_RDONLY);             /* takes the lowest free number */
    for (long i = 0; i < 600000; ++i) free(malloc(16)); /* 1.2 M records, over 40 MB */
    sink = malloc(4001);
    off_t end = lseek(mine, 0, SEEK_END);
    return mine >= 0 && end == 0 ? 0 : 1;
  }
  char* parent_block = malloc(1001);
  sink = parent_block;
  pid_t pid = strcmp(mode, "_Fork") == 0 ? _Fork() : fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    sink = malloc(2001);
    free(parent_block); /* allocated before the child's recording began */
    sink = malloc(2002);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  sink = malloc(1002);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 9 : 1;
}
