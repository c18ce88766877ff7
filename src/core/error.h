// Domain errors shared by every module: they know no protocol. Each protocol maps them to its replies with one
// function (smtp::reply_for, later imap/pop3/xmpp). Security: carries no secrets; `detail` goes to logs only.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace axon::core {

enum class Errc {
  temporary,    // try again later (I/O error, busy database)
  unavailable,  // service or resource not available now
  permanent,    // will never succeed
  not_found,
  exists,
  quota,
  in_use,
  limit,        // a configured limit was hit
  too_big,
  invalid,      // malformed input or argument
};

const char* to_string(Errc);

struct Error {
  Errc code = Errc::permanent;
  std::string detail;  // for logs and CLI messages, never for remote peers
};

// A value or an error (std::expected is C++23). Result<T> carries a domain Error; protocol parsers use the same
// shape with their own error type (smtp::Parsed<T> = Expected<T, Reply>).
template <class T, class E>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(E e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <class T>
class Result : public Expected<T, Error> {
 public:
  using Expected<T, Error>::Expected;
};

template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

inline Error make_error(Errc c, std::string detail) { return Error{c, std::move(detail)}; }

}  // namespace axon::core
