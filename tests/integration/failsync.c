/* Test shim, loaded with LD_PRELOAD into `axon serve`: makes fsync(2), fdatasync(2) and syncfs(2) fail with EIO
 * once the file named by AXON_FAILSYNC_TRIGGER exists. The file's content picks the calls ("syncfs",
 * "fdatasync", "fsync"; empty or "all": every one). Used to check that a lost fsync is never retried into
 * success: the server must stop without releasing spool records, and the restart must deliver them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int armed(const char* call) {
  const char* trigger = getenv("AXON_FAILSYNC_TRIGGER");
  if (!trigger) return 0;
  int fd = open(trigger, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[64] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0 || strstr(buf, "all")) return 1;
  return strstr(buf, call) != NULL;
}

#define WRAP(name)                                         \
  int name(int fd) {                                       \
    static int (*real)(int);                               \
    if (armed(#name)) {                                    \
      errno = EIO;                                         \
      return -1;                                           \
    }                                                      \
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, #name); \
    return real(fd);                                       \
  }

WRAP(fsync)
WRAP(fdatasync)
WRAP(syncfs)
