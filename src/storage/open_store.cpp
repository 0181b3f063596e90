#include "storage/open_store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "aws/environment.hpp"
#include "storage/dynamodb/dynamodb_store.hpp"
#include "storage/memory/memory_store.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace cargomon {
namespace {

struct Where {
  const std::string& url;
  const std::filesystem::path& data_dir;
  const BusinessCalendar& calendar;
  IfMissing if_missing;
  CommitObserver* observer;
};

std::unique_ptr<Store> open_sqlite(const Where& where) {
  const auto path = where.data_dir / "cargomon.db";
  if (where.if_missing == IfMissing::fail && !std::filesystem::exists(path)) {
    throw std::runtime_error("no database at " + path.string() + " (see --data-dir)");
  }
  if (where.if_missing == IfMissing::create_in_empty_directory && !std::filesystem::exists(path)) {
    const auto& dir = where.data_dir;
    if (!std::filesystem::is_directory(dir)) {
      throw std::runtime_error("data directory " + dir.string() +
                               " does not exist (a mistyped --data-dir?); `cargomon serve` "
                               "creates it, or pass --create");
    }
    if (!std::filesystem::is_empty(dir)) {
      throw std::runtime_error("no cargomon database in " + dir.string() +
                               " (a mistyped --data-dir?); `cargomon serve` creates one, or "
                               "pass --create");
    }
  }
  create_private_directory(where.data_dir);
  SqliteStoreOptions options;
  options.batches.observer = where.observer;
  return std::make_unique<SqliteStore>(path, where.calendar, options);
}

std::unique_ptr<Store> open_postgres(const Where& where) {
  PostgresStoreOptions options;
  options.batches.observer = where.observer;
  return std::make_unique<PostgresStore>(where.url, where.calendar, options);
}

std::unique_ptr<Store> open_memory(const Where& where) {
  return std::make_unique<MemoryStore>(where.calendar);
}

// dynamodb://PREFIX[?create_tables=false]: AWS_* variables say where and as whom.
std::unique_ptr<Store> open_dynamodb(const Where& where) {
  std::string_view rest(where.url);
  rest.remove_prefix(std::string_view("dynamodb://").size());
  DynamoDbStoreOptions options;
  if (const auto mark = rest.find('?'); mark != std::string_view::npos) {
    const auto query = rest.substr(mark + 1);
    rest = rest.substr(0, mark);
    if (query == "create_tables=false") {
      options.create_tables = false;
    } else if (query != "create_tables=true") {
      throw std::runtime_error(
          "a dynamodb:// store URL takes one option: ?create_tables=false (or true)");
    }
  }
  // A command that must not create a store (IfMissing::fail) creates no tables either.
  if (where.if_missing == IfMissing::fail) options.create_tables = false;
  options.table_prefix = std::string(rest);
  return std::make_unique<DynamoDbStore>(aws::config_from_environment("dynamodb"), options,
                                         where.calendar);
}

struct Scheme {
  std::string_view prefix;  // the URL starts with it
  std::unique_ptr<Store> (*open)(const Where&);
};

// One line per implementation.
constexpr Scheme kSchemes[] = {
    {"sqlite:", open_sqlite}, {"postgres://", open_postgres}, {"postgresql://", open_postgres},
    {"memory:", open_memory}, {"dynamodb://", open_dynamodb},
};

}  // namespace

bool is_embedded_store(const std::string& url) {
  return url.empty() || url == "sqlite" || url.starts_with("sqlite:");
}

// (An existing directory keeps its mode: its owner chose it.)
void create_private_directory(const std::filesystem::path& dir) {
  if (!dir.parent_path().empty()) std::filesystem::create_directories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::system_error(errno, std::system_category(),
                            "cannot create data directory " + dir.string());
  }
}

std::unique_ptr<Store> open_store(const std::string& url, const std::filesystem::path& data_dir,
                                  const BusinessCalendar& calendar, IfMissing if_missing,
                                  CommitObserver* observer) {
  const Where where{url, data_dir, calendar, if_missing, observer};
  if (url.empty() || url == "sqlite") return open_sqlite(where);
  for (const auto& scheme : kSchemes) {
    if (url.starts_with(scheme.prefix)) return scheme.open(where);
  }
  throw std::runtime_error(
      "--store must be empty or sqlite: (the embedded SQLite database in --data-dir), a "
      "PostgreSQL URL (postgres://user:password@host:5432/database or postgresql://…), "
      "dynamodb://PREFIX[?create_tables=false] (DynamoDB tables PREFIX-…; AWS_* variables), or "
      "memory: (kept in memory, lost on exit); got \"" +
      url.substr(0, url.find(':') == std::string::npos ? 40 : url.find(':') + 1) + "\"");
}

}  // namespace cargomon
