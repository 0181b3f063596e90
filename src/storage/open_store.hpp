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
  fail,    // std::runtime_error if the embedded database does not exist yet
};

// `calendar` must outlive the store, and `observer` (null: none) too; it is
// told of the group commit's batches where there is one (SQLite, PostgreSQL). Throws
// std::runtime_error naming the accepted forms for any other URL, and StoreUnavailable when the
// store cannot be opened.
std::unique_ptr<Store> open_store(const std::string& url, const std::filesystem::path& data_dir,
                                  const BusinessCalendar& calendar,
                                  IfMissing if_missing = IfMissing::create,
                                  CommitObserver* observer = nullptr);

}  // namespace cargomon
