// Message files under data_dir/mail/<account id>/: writing one (prefix then data, plain write(2), no fsync),
// checking one after a crash, reading one back, and making the written ones durable in sync().
// Security: file names are built from integer ids only, never from message or address text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace axon::store::sqlite {

using core::Result;

// Writes (creating or truncating) `path`, creating its directory when missing. Mode 0600. The data is `data`,
// or, when data_fd >= 0, data_size octets of that file from data_offset (copy_file_range, read/write fallback).
struct FileContent {
  std::string_view prefix;
  std::string_view data;
  int data_fd = -1;
  uint64_t data_offset = 0, data_size = 0;
};
Result<void> write_message_file(const std::filesystem::path& path, const FileContent& content);
inline Result<void> write_message_file(const std::filesystem::path& path, std::string_view prefix,
                                       std::string_view data) {
  return write_message_file(path, FileContent{prefix, data});
}
// True when the file exists with exactly `size` octets.
bool message_file_ok(const std::filesystem::path& path, uint64_t size);
Result<std::string> read_message_file(const std::filesystem::path& path);

// Tracks what was written since the last sync and flushes it. Thread-safe.
class FileSyncer {
 public:
  ~FileSyncer();
  // Opens the data directory; syncfs(2) is issued on this descriptor.
  Result<void> open(const std::filesystem::path& data_dir);
  // Records a written file (its directory must be made durable too).
  void written(std::filesystem::path path);
  // Records that the database changed (the WAL needs flushing).
  void db_written();
  // Flushes everything recorded so far. `sync_wal` flushes the SQLite WAL in the per-file fallback. A failure
  // is final: every later call returns it again (an fsync error is never retried into success).
  template <class F>
  Result<void> sync(F&& sync_wal);

 private:
  struct Pending {
    std::vector<std::filesystem::path> files;
    bool db = false;
    bool empty() const { return files.empty() && !db; }
  };
  Result<void> sync_files(Pending& p);  // fallback: fdatasync each file, fsync each directory
  Result<bool> try_syncfs();            // false when syncfs is unavailable here

  static constexpr std::size_t kFewFiles = 4;
  std::mutex mu_;      // guards pending_
  std::mutex sync_mu_; // one sync at a time
  Pending pending_;
  int dir_fd_ = -1;
  bool syncfs_works_ = true;
  std::optional<core::Error> failed_;  // the first sync error, kept
};

template <class F>
Result<void> FileSyncer::sync(F&& sync_wal) {
  std::lock_guard sl(sync_mu_);
  if (failed_) return *failed_;
  Pending p;
  {
    std::lock_guard l(mu_);
    std::swap(p, pending_);
  }
  if (p.empty()) return {};
  auto fail = [&](core::Error e) -> Result<void> {
    e.detail += " (durability lost: restart to replay the spool)";
    failed_ = e;
    return e;
  };
  // Few files (an IMAP STORE or EXPUNGE writes none, an APPEND one): fdatasync them and the WAL. syncfs
  // flushes every dirty page of the filesystem, whoever wrote it, which costs far more than a few fdatasyncs
  // when other writers are busy; for a delivery batch of many files its single journal commit wins.
  if (syncfs_works_ && p.files.size() > kFewFiles) {
    auto r = try_syncfs();
    if (!r) return fail(r.error());
    if (*r) return {};
    syncfs_works_ = false;
  }
  if (auto r = sync_files(p); !r) return fail(r.error());
  if (p.db) {
    if (Result<void> r = sync_wal(); !r) return fail(r.error());
  }
  return {};
}

}  // namespace axon::store::sqlite
