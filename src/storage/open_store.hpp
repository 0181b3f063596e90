#pragma once
// Opens the store a deployment chose, by the scheme of its URL (--store,
// CARGOMON_STORE):
//   empty or sqlite:           the embedded SQLite database in the data directory
//   postgres:// postgresql://  PostgreSQL, which several instances may share
//   memory:                    the in-memory store (gone when the process ends)
//   dynamodb://PREFIX          DynamoDB tables PREFIX-orders and PREFIX-users, which
//                              several instances may share; credentials, region and
//                              endpoint from AWS_* (aws/environment.hpp). Missing
//                              tables are created unless ?create_tables=false is
//                              appended (or if_missing is fail).
// Each implementation is a library of its own (storage/<name>/); this one
// links them all, so that only the programs that choose at run time carry
// every implementation.

#include <filesystem>
#include <memory>
#include <string>

#include "domain/business_calendar.hpp"
#include "storage/commit_observer.hpp"
#include "storage/store.hpp"

namespace cargomon {

enum class IfMissing {
  create,  // a new, empty store (and the data directory) if there is none
  // The embedded database is created only in a data directory that exists
  // and is empty (made for it, as `mkdir data` does): a mistyped --data-dir
  // is a std::runtime_error naming it, and creates nothing.
  create_in_empty_directory,
  fail,  // std::runtime_error if the embedded database does not exist yet
};

// True for the URLs of the embedded SQLite database (empty, sqlite, sqlite:…),
// whose files live in the data directory.
bool is_embedded_store(const std::string& url);

// Creates `dir` (its parents as the umask says) owner-only, mode 0700: it
// holds every order and password hash. An existing one is left as it is.
void create_private_directory(const std::filesystem::path& dir);

// `calendar` must outlive the store, and `observer` (null: none) too; it is
// told of the group commit's batches where there is one (SQLite, PostgreSQL). Throws
// std::runtime_error naming the accepted forms for any other URL, and StoreUnavailable when the
// store cannot be opened.
std::unique_ptr<Store> open_store(const std::string& url, const std::filesystem::path& data_dir,
                                  const BusinessCalendar& calendar,
                                  IfMissing if_missing = IfMissing::create,
                                  CommitObserver* observer = nullptr);

}  // namespace cargomon
