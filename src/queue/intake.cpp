// Intake buffers: memory under a budget, then an unlinked spill file. See intake.h.
#include "queue/intake.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <spdlog/spdlog.h>

#include "core/fileio.h"
#include "queue/record.h"

namespace axon::queue {

namespace {

constexpr std::size_t kWriteChunk = 64u << 10;


// An anonymous file in `dir`: O_TMPFILE where the filesystem has it (`anonymous`), else a created-and-unlinked
// one.
int open_spill_file(const std::filesystem::path& dir, bool& anonymous) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  anonymous = fd >= 0;
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  std::string tmpl = (dir / "spill-XXXXXX").string();
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(tmpl.c_str());
  return fd;
}

}  // namespace

std::unique_ptr<IntakeBuffer> IntakeBudget::begin() {
  if (in_flight() >= limits_.in_flight) return nullptr;
  return std::make_unique<IntakeBuffer>(this);
}

bool IntakeBudget::reserve_memory(uint64_t n) {
  uint64_t cur = memory_.load(std::memory_order_relaxed);
  do {
    if (cur + n > limits_.memory) return false;
  } while (!memory_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
  return true;
}

IntakeBuffer::~IntakeBuffer() {
  if (fd_ >= 0) ::close(fd_);
  if (budget_) {
    budget_->release_memory(reserved_);
    budget_->in_flight_.fetch_sub(size_, std::memory_order_relaxed);
  }
}

void IntakeBuffer::append(std::string_view bytes) {
  if (failed_ || bytes.empty()) return;
  crc_ = crc32(bytes, crc_);
  size_ += bytes.size();
  if (budget_) budget_->in_flight_.fetch_add(bytes.size(), std::memory_order_relaxed);
  if (fd_ >= 0) {  // one write per 64 KiB, not per line
    pending_.append(bytes);
    if (pending_.size() >= kWriteChunk) flush();
    return;
  }
  if (!budget_) {
    mem_.append(bytes);
    return;
  }
  // Grow the memory reservation in steps, so that the shared counter is not touched for every append.
  uint64_t want = mem_.size() + bytes.size();
  if (want > reserved_) {
    uint64_t step = std::max<uint64_t>(want - reserved_, 64 * 1024);
    if (want > budget_->limits_.per_message_memory || !budget_->reserve_memory(step)) return spill(bytes);
    reserved_ += step;
  }
  mem_.append(bytes);
}

void IntakeBuffer::flush() {
  if (failed_ || fd_ < 0 || pending_.empty()) return;
  if (!core::write_all(fd_, pending_)) return fail();
  pending_.clear();
}

void IntakeBuffer::spill(std::string_view more) {
  fd_ = open_spill_file(budget_->spill_dir_, anonymous_);
  if (fd_ < 0) {
    spdlog::error("cannot create a spill file in {}: {}", budget_->spill_dir_.string(), std::strerror(errno));
    return fail();
  }
  if (::lseek(fd_, static_cast<off_t>(data_offset()), SEEK_SET) < 0) return fail();
  if (!core::write_all(fd_, mem_, more)) return fail();
  mem_.clear();
  mem_.shrink_to_fit();
  budget_->release_memory(reserved_);
  reserved_ = 0;
}

void IntakeBuffer::fail() {
  if (!failed_) spdlog::error("message data could not be kept: {}", std::strerror(errno));
  failed_ = true;
  pending_.clear();
  pending_.shrink_to_fit();
  if (fd_ >= 0) {  // give the disk space back now, not at the end of the transaction
    ::close(fd_);
    fd_ = -1;
  }
  mem_.clear();
  mem_.shrink_to_fit();
  if (budget_) budget_->release_memory(reserved_);
  reserved_ = 0;
}

}  // namespace axon::queue
