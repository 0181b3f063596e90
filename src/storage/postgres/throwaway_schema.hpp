#pragma once
// For tests: an empty, uniquely named schema in the PostgreSQL database at
// CARGOMON_TEST_PG_URL, dropped (with everything in it) when the object dies.
// Each test gets a database of its own without creating databases.

#include <optional>
#include <string>

namespace cargomon::testing {

// CARGOMON_TEST_PG_URL, or nullopt when unset (tests then skip, saying so).
std::optional<std::string> test_postgres_url();
inline constexpr const char* kNoPostgres =
    "CARGOMON_TEST_PG_URL is not set: PostgreSQL tests skipped (run them under "
    "scripts/with-postgres.sh, as CI does)";

// `url` with search_path set to `schema` (a libpq URI option).
std::string with_search_path(const std::string& url, const std::string& schema);

class ThrowawaySchema {
 public:
  explicit ThrowawaySchema(std::string server_url);
  ~ThrowawaySchema();
  ThrowawaySchema(const ThrowawaySchema&) = delete;
  ThrowawaySchema& operator=(const ThrowawaySchema&) = delete;

  const std::string& name() const { return name_; }
  // The server URL with search_path set to this schema.
  const std::string& url() const { return url_; }

 private:
  std::string server_url_;
  std::string name_;
  std::string url_;
};

}  // namespace cargomon::testing
