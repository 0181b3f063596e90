#include "storage/postgres/pg.hpp"

#include <poll.h>

#include <charconv>

namespace cargomon::pg {
namespace {

// SQLSTATE classes and codes that say the server cannot do the work now, as
// opposed to a statement that is wrong.
bool means_unavailable(std::string_view state) {
  if (state.size() != 5) return true;  // no SQLSTATE: a client-side (connection) failure
  const auto cls = state.substr(0, 2);
  return cls == "08"           // connection exception
         || cls == "53"        // insufficient resources (disk full, too many connections)
         || cls == "57"        // operator intervention: shutdown, crash, cancel, timeout
         || cls == "58"        // system error (I/O)
         || state == "25006"   // read-only transaction: a standby after failover
         || state == "55P03"   // lock not available
         || state == "40001"   // serialization failure
         || state == "40P01";  // deadlock
}

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::string_view Result::text(std::size_t row, int column) const {
  const int r = static_cast<int>(row);
  return {PQgetvalue(result_.get(), r, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), r, column))};
}

std::int64_t Result::integer(std::size_t row, int column) const {
  const auto value = text(row, column);
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || ptr != value.data() + value.size()) {
    throw Error("not an integer: " + std::string(value), "");
  }
  return n;
}

Params& Params::add(std::string value) {
  values_.emplace_back(std::move(value));
  return *this;
}

Params& Params::add(const std::optional<std::string>& value) {
  values_.push_back(value);
  return *this;
}

Params& Params::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

ArrayLiteral& ArrayLiteral::add_raw(std::string_view raw) {
  if (text_.size() > 1) text_ += ',';
  text_ += raw;
  return *this;
}

ArrayLiteral& ArrayLiteral::add(std::string_view text) {
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
  return *this;
}

ArrayLiteral& ArrayLiteral::add(std::int64_t value) { return add_raw(std::to_string(value)); }

Connection::Connection(const ConnectOptions& options) {
  // Defaults first: the URL's own settings, expanded from dbname, win.
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "application_name",
                            "dbname",
                            nullptr};
  const char* values[] = {
      "5", "10", "3", "3", "15000", options.application_name.c_str(), options.url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr) throw StoreUnavailable("PostgreSQL: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreUnavailable(message);
  }
  cancel_ = PQgetCancel(conn_);
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  if (cancel_ != nullptr) PQfreeCancel(cancel_);
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::cancel() {
  cancel_requested_ = true;
  if (cancel_ == nullptr) return;
  char error[256];
  // Best effort: when it fails, the statement simply runs to its end.
  [[maybe_unused]] const int sent = PQcancel(cancel_, error, sizeof error);
}

void Connection::throw_if_cancelled() {
  if (cancel_requested_.exchange(false)) throw StoreUnavailable("PostgreSQL: statement cancelled");
}

Result Connection::query_planned_each_time(const std::string& sql, const Params& params) {
  throw_if_cancelled();
  const auto pointers = params.pointers();
  return check(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, pointers.data(), nullptr,
                            nullptr, 0),
               "query");
}

Result Connection::check(PGresult* result, std::string_view what) {
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(result);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  std::string message = std::string(what) + ": " +
                        trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (result == nullptr || message.size() <= what.size() + 2) {
    message += trimmed(PQerrorMessage(conn_));
  }
  PQclear(result);
  if (sqlstate == "40001" || sqlstate == "40P01") throw RetryableError(message);
  if (PQstatus(conn_) != CONNECTION_OK || means_unavailable(sqlstate)) {
    throw StoreUnavailable(message);
  }
  throw Error(message, sqlstate);
}

Result Connection::exec(const std::string& sql) {
  throw_if_cancelled();
  return check(PQexec(conn_, sql.c_str()), "SQL");
}

Result Connection::query(const std::string& sql, const Params& params) {
  throw_if_cancelled();
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    // Appended, not `"s" + std::to_string(…)`: GCC 12 warns about that
    // (-Wrestrict, a false positive in libstdc++'s operator+ at -O2).
    std::string name = "s";
    name += std::to_string(prepared_.size());
    check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), "prepare");
    it = prepared_.emplace(sql, name).first;
  }
  const auto pointers = params.pointers();
  return check(PQexecPrepared(conn_, it->second.c_str(), params.size(), pointers.data(), nullptr,
                              nullptr, 0),
               "query");
}

bool Connection::healthy() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) return false;
  if (poll(&fd, 1, 0) > 0) {
    // An idle connection has nothing to read unless the server is telling us
    // it is going away (or sent a notification, which is harmless).
    if (!consume_input()) return false;
  }
  return PQstatus(conn_) == CONNECTION_OK;
}

bool Connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

bool Connection::consume_input() {
  return PQconsumeInput(conn_) == 1 && PQstatus(conn_) == CONNECTION_OK;
}

std::vector<std::string> Connection::notifications() {
  std::vector<std::string> out;
  while (PGnotify* note = PQnotifies(conn_)) {
    out.emplace_back(note->extra ? note->extra : "");
    PQfreemem(note);
  }
  return out;
}

std::string Connection::quote_identifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (quoted == nullptr) throw StoreUnavailable("PostgreSQL: " + trimmed(PQerrorMessage(conn_)));
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

}  // namespace cargomon::pg
