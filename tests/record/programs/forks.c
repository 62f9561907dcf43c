/* Fork and exec, for the --follow-forks tests.
 *   forks fork   parent: malloc 1001, fork; child: malloc 2001, free the
 *                parent's block, malloc 2002, exit 0; parent: wait,
 *                malloc 1002, exit 9 if the child succeeded.
 *   forks exec   malloc 3001, then exec itself as "forks after-exec",
 *                which does malloc 3002 and exits 4.
 * SPDX-License-Identifier: GPL-3.0-or-later */
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
  char* parent_block = malloc(1001);
  sink = parent_block;
  pid_t pid = fork();
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
