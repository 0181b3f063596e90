#include "storage/postgres/throwaway_schema.hpp"

#include <unistd.h>

#include <cstdlib>
#include <random>

#include "storage/postgres/pg.hpp"

namespace cargomon::testing {

std::optional<std::string> test_postgres_url() {
  const char* url = std::getenv("CARGOMON_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string with_search_path(const std::string& url, const std::string& schema) {
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "options=-c%20search_path%3D" + schema;
}

ThrowawaySchema::ThrowawaySchema(std::string server_url) : server_url_(std::move(server_url)) {
  std::random_device rd;
  name_ = "cargomon_test_" + std::to_string(getpid()) + "_" + std::to_string(rd());
  pg::Connection db({server_url_, "cargomon tests"});
  db.exec("CREATE SCHEMA " + name_);
  url_ = with_search_path(server_url_, name_);
}

ThrowawaySchema::~ThrowawaySchema() {
  try {
    pg::Connection db({server_url_, "cargomon tests"});
    db.exec("DROP SCHEMA " + name_ + " CASCADE");
  } catch (const std::exception&) {
    // The server is gone (a test stopped it): the throwaway server goes too.
  }
}

}  // namespace cargomon::testing
