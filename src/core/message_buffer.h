// core::MessageBuffer — where a message's data goes while a protocol session receives it, so that no session
// holds a whole message in memory. The session only appends; what is behind the interface (memory under a budget,
// a spill file, the spool) is the composition root's choice. Sessions get buffers from a MessageBuffers factory,
// one per transaction; the factory may refuse (nullptr) when the server is over its budget of data in flight,
// and the session then answers "452 4.3.1" (RFC 3463: mail system full) instead of starting the transaction.
// Security: carries untrusted message data; implementations bound what they keep in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace axon::core {

class MessageBuffer {
 public:
  virtual ~MessageBuffer() = default;
  // Appends octets. After a failure (an I/O error behind the buffer) it ignores further input and failed() is
  // true: the session then refuses the message with a temporary error instead of accepting a truncated one.
  virtual void append(std::string_view bytes) = 0;
  virtual uint64_t size() const = 0;
  virtual bool failed() const = 0;
};

class MessageBuffers {
 public:
  virtual ~MessageBuffers() = default;
  // A new, empty buffer for one transaction; nullptr when the server cannot take more data in flight now.
  virtual std::unique_ptr<MessageBuffer> begin() = 0;
};

// Memory only: for tests, fuzzing and tools. `take()` hands the data over.
class StringBuffer final : public MessageBuffer {
 public:
  void append(std::string_view bytes) override { data_.append(bytes); }
  uint64_t size() const override { return data_.size(); }
  bool failed() const override { return false; }
  const std::string& data() const { return data_; }
  std::string take() { return std::move(data_); }

 private:
  std::string data_;
};

class StringBuffers final : public MessageBuffers {
 public:
  std::unique_ptr<MessageBuffer> begin() override {
    if (refuse) return nullptr;
    return std::make_unique<StringBuffer>();
  }
  bool refuse = false;  // tests: act as if the server were over its in-flight budget
};

}  // namespace axon::core
