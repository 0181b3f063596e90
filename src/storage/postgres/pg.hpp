#pragma once
// A thin RAII layer over libpq: connections, results, parameters, and the one
// place that decides which PostgreSQL failures mean "unavailable".
//
// Error policy (storage/store.hpp): a lost or refused connection, a server
// shutting down or starting up, resource exhaustion, a read-only server
// (failover), a cancelled statement, and a deadlock or serialization failure
// throw StoreUnavailable: the caller answers 503 and the client retries. Any
// other server error (a bug, or data the server refuses) throws pg::Error.
//
// Thread safety: a Connection is used by one thread at a time.

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.hpp"

namespace cargomon::pg {

// A server error that is not about availability. `sqlstate` is the SQLSTATE code.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Deadlock or serialization failure: unavailable, but worth retrying at once.
class RetryableError : public StoreUnavailable {
 public:
  using StoreUnavailable::StoreUnavailable;
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  std::size_t rows() const { return static_cast<std::size_t>(PQntuples(result_.get())); }
  bool is_null(std::size_t row, int column) const {
    return PQgetisnull(result_.get(), static_cast<int>(row), column) != 0;
  }
  std::string_view text(std::size_t row, int column) const;
  std::int64_t integer(std::size_t row, int column) const;
  bool boolean(std::size_t row, int column) const { return text(row, column) == "t"; }

 private:
  struct Free {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Free> result_;
};

// Parameters in text format; NULL where absent.
class Params {
 public:
  Params& add(std::string value);
  Params& add(std::int64_t value) { return add(std::to_string(value)); }
  Params& add(const std::optional<std::string>& value);
  Params& add_null();
  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid while it lives unchanged.
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// Builds the text form of a PostgreSQL array ({"a","b",NULL}) for one
// parameter, so a whole batch travels in one statement (unnest).
class ArrayLiteral {
 public:
  ArrayLiteral& add(std::string_view text);
  ArrayLiteral& add(std::int64_t value);
  ArrayLiteral& add(bool value) { return add_raw(value ? "t" : "f"); }
  ArrayLiteral& add_null() { return add_raw("NULL"); }
  std::string str() const { return text_ + "}"; }

 private:
  ArrayLiteral& add_raw(std::string_view raw);
  std::string text_ = "{";
};

struct ConnectOptions {
  std::string url;               // postgres://… or postgresql://… (libpq URI)
  std::string application_name;  // shows in pg_stat_activity
};

class Connection {
 public:
  // Connects, bounded in time (connect_timeout and TCP keepalives unless the
  // URL sets them). Throws StoreUnavailable when the server cannot be reached.
  explicit Connection(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements with the simple protocol (no parameters).
  Result exec(const std::string& sql);
  // Runs `sql` as a prepared statement, preparing it on first use on this
  // connection.
  Result query(const std::string& sql, const Params& params = {});
  // Runs `sql` unprepared: planned for these very parameter values each time.
  // For statements whose best plan depends on the values and on the table's
  // size (e.g. `= ANY($1)` over a large array): a cached generic plan made
  // while the table was small (a sequential scan) stays until the next
  // ANALYZE, and then costs a scan of the whole table per call.
  Result query_planned_each_time(const std::string& sql, const Params& params);
  // Asks the server to cancel the statement running on this connection;
  // when none is running, the next one fails at once instead. Either throws
  // StoreUnavailable. The one method that may be called from another thread
  // while the connection is in use.
  void cancel();
  // Forgets a cancel() that no statement has seen yet.
  void clear_cancel() { cancel_requested_ = false; }

  // False once the connection is known broken. Cheap: looks for an EOF or an
  // error the server sent on the idle socket (e.g. after a restart).
  bool healthy();
  bool in_transaction() const;
  int socket() const { return PQsocket(conn_); }
  // Reads what the server sent; false when the connection broke.
  bool consume_input();
  // Notifications received so far (LISTEN): their payloads.
  std::vector<std::string> notifications();
  std::string quote_identifier(std::string_view name) const;

 private:
  Result check(PGresult* result, std::string_view what);

  PGconn* conn_ = nullptr;
  PGcancel* cancel_ = nullptr;  // PQcancel on it is thread-safe
  std::atomic<bool> cancel_requested_{false};
  void throw_if_cancelled();
  std::unordered_map<std::string, std::string> prepared_;  // sql → statement name
};

}  // namespace cargomon::pg
