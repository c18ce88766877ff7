// core/fileio — whole writes and in-kernel copies on POSIX file descriptors, shared by the spool (queue/) and
// the embedded store (store/sqlite/). Its own CMake target (axon_fileio), so that the sans-I/O protocol cores,
// which link axon_core, cannot reach it. Each function retries EINTR and short transfers; on false, errno
// tells why (EIO when a source ended early).
// Security: moves bytes only; no paths.
#pragma once

#include <cstdint>
#include <string_view>

namespace axon::core {

bool write_all(int fd, std::string_view bytes);
// a then b with writev (one system call in the usual case).
bool write_all(int fd, std::string_view a, std::string_view b);
// n octets of `src` from `offset` to `dst` at its file position: copy_file_range(2), falling back to pread and
// write where the kernel or filesystem cannot (EXDEV, EINVAL, ENOSYS, EOPNOTSUPP). `dst` must not be O_APPEND.
bool copy_range(int src, uint64_t offset, uint64_t n, int dst);

}  // namespace axon::core
