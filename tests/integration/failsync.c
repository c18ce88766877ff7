/* Test shim, loaded with LD_PRELOAD into `axon serve`: makes fsync(2), fdatasync(2) and syncfs(2) fail with EIO
 * once the file named by AXON_FAILSYNC_TRIGGER exists. The file's content picks the calls ("syncfs",
 * "fdatasync", "fsync"; empty or "all": every one). Used to check that a lost fsync is never retried into
 * success: the server must stop without releasing spool records, and the restart must deliver them.
 * "pread-seg" makes pread(2) of spool segments (files named *.seg) fail with EIO: recovery must neither cut nor
 * move a segment it cannot read. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

static int is_segment(int fd) {
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 4) return 0;
  path[n] = 0;
  return strcmp(path + n - 4, ".seg") == 0;
}

#define WRAP_PREAD(name)                                                                         \
  ssize_t name(int fd, void* buf, size_t count, off_t offset) {                                 \
    static ssize_t (*real)(int, void*, size_t, off_t);                                           \
    if (is_segment(fd) && armed("pread-seg")) {                                                  \
      errno = EIO;                                                                               \
      return -1;                                                                                 \
    }                                                                                            \
    if (!real) real = (ssize_t(*)(int, void*, size_t, off_t))dlsym(RTLD_NEXT, #name);           \
    return real(fd, buf, count, offset);                                                         \
  }

WRAP_PREAD(pread)
WRAP_PREAD(pread64)
WRAP(fsync)
WRAP(fdatasync)
WRAP(syncfs)
