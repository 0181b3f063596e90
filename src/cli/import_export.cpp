// `cargomon import` and `cargomon export`: orders (and users) from the
// original system's DynamoDB tables or from an export, into the store; and
// a day's or a range's orders out as CSV or JSON lines. Both work on the
// store (--store, as the server's) directly, also while the server runs.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "api/order_csv.hpp"
#include "api/order_json.hpp"
#include "auth/password.hpp"
#include "aws/dynamodb_client.hpp"
#include "aws/environment.hpp"
#include "cli/commands.hpp"
#include "cli/gunzip.hpp"
#include "cli/item_reader.hpp"
#include "cli/settings.hpp"
#include "domain/audit.hpp"
#include "domain/user_service.hpp"
#include "storage/open_store.hpp"
#include "storage/user_directory.hpp"

namespace cargomon::cli {
namespace {

namespace json = boost::json;

void add_timezone_option(CLI::App& command, std::string& timezone) {
  command
      .add_option("--timezone", timezone,
                  "Business timezone (as the server's): which day an order belongs to")
      ->envname("CARGOMON_TIMEZONE")
      ->capture_default_str();
}

// "item 4 (line 4, pedido_id "x")"
std::string describe_item(const InputItem& item, const char* id_name) {
  std::string out = "item " + std::to_string(item.number);
  std::string details;
  if (item.line > 0) details = "line " + std::to_string(item.line);
  if (!item.id.empty()) {
    if (!details.empty()) details += ", ";
    details += id_name;
    details += " \"" + item.id + "\"";
  }
  return details.empty() ? out : out + " (" + details + ")";
}

// productos[0].precio: must have at most 2 decimals; repartidor: field required
std::string describe_errors(const std::vector<api::FieldError>& errors) {
  std::string out;
  for (const auto& error : errors) {
    if (!out.empty()) out += "; ";
    std::string where;
    for (const auto& part : error.loc) {
      if (const auto* name = std::get_if<std::string>(&part)) {
        if (*name == "body" && where.empty()) continue;
        if (!where.empty()) where += '.';
        where += *name;
      } else {
        where += '[';
        where += std::to_string(std::get<std::size_t>(part));
        where += ']';
      }
    }
    out += (where.empty() ? "" : where + ": ") + error.msg;
  }
  return out;
}

// An input file, or stdin for "-"; inflated as it is read when it is gzip
// (DynamoDB's export to S3 writes `.json.gz` files).
class Input {
 public:
  explicit Input(const std::string& name) : name_(name == "-" ? "stdin" : name) {
    if (name != "-") {
      file_.open(name, std::ios::binary);
      if (!file_) throw std::runtime_error("cannot read " + name);
    }
  }
  // Looks at the first bytes, so call it once, when reading begins.
  std::istream& stream() {
    std::istream& raw = file_.is_open() ? file_ : std::cin;
    if (!starts_with_gzip(raw)) return raw;
    gunzip_.emplace(raw);
    return *gunzip_;
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::ifstream file_;
  std::optional<GunzipStream> gunzip_;
};

// Validates orders with the API's rules and registers them, many at a time
// (the store commits them in groups). Thread safety: add() and finish() from
// one thread; the store's callbacks take the mutex.
class OrderImport {
 public:
  // `source`: the zone of timestamps written without an offset.
  OrderImport(OrderStore& store, const BusinessCalendar& source, const Clock& clock)
      : store_(store), source_(source), clock_(clock) {}

  void add(InputItem item) {
    ++items_;
    if (!item.value) return reject(item, item.error);
    auto decoded = api::decode_order(*item.value, source_, clock_.now());
    if (auto* errors = std::get_if<std::vector<api::FieldError>>(&decoded)) {
      return reject(item, describe_errors(*errors));
    }
    auto& order = std::get<Order>(decoded);
    const std::size_t bytes = approximate_bytes(order);
    std::unique_lock lock(mutex_);
    // Bounded in count and in bytes (one order alone always goes).
    room_.wait(lock, [&] {
      return in_flight_ == 0 || (in_flight_ < kWindow && in_flight_bytes_ + bytes <= kWindowBytes);
    });
    ++in_flight_;
    in_flight_bytes_ += bytes;
    lock.unlock();
    store_.register_order(std::move(order), [this, bytes, where = describe_item(item, "pedido_id")](
                                                RegisterResult result) {
      std::lock_guard guard(mutex_);
      switch (result.status) {
        case RegisterStatus::stored:
          ++imported_;
          break;
        case RegisterStatus::already_stored:
          ++present_;
          break;
        case RegisterStatus::conflict:
          ++conflicting_;
          // Said at once, not kept: a file of conflicts would grow a list.
          std::cout << "conflict " << where
                    << ": already stored with different content; the stored order was kept\n";
          break;
        case RegisterStatus::unavailable:
          ++unstored_;
          break;
      }
      --in_flight_;
      in_flight_bytes_ -= bytes;
      room_.notify_all();
    });
  }

  // Waits for the store, prints the conflicts and the totals; the exit status.
  int finish(const std::string& source) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return in_flight_ == 0; });
    std::cout << "orders from " << source << ": " << imported_ << " imported, " << present_
              << " already present, " << conflicting_ << " conflicting, " << rejected_
              << " rejected (" << items_ << " items)";
    if (unstored_ > 0) {
      std::cout << ", " << unstored_
                << " not stored: the store was unavailable; run the import again";
    }
    std::cout << std::endl;
    if (unstored_ > 0) return 1;
    return rejected_ > 0 || conflicting_ > 0 ? 2 : 0;
  }

  // The totals, for the audit trail (after finish).
  AuditDetail summary() {
    const std::lock_guard lock(mutex_);
    return {{"tipo", "pedidos"},
            {"importados", std::to_string(imported_)},
            {"presentes", std::to_string(present_)},
            {"en_conflicto", std::to_string(conflicting_)},
            {"rechazados", std::to_string(rejected_)},
            {"no_guardados", std::to_string(unstored_)}};
  }

 private:
  // Orders handed to the store and not yet answered: the store commits them
  // in groups, and memory stays bounded by what is waiting.
  static constexpr std::size_t kWindow = 1024;
  static constexpr std::size_t kWindowBytes = std::size_t{32} << 20;

  // About what an order holds in memory.
  static std::size_t approximate_bytes(const Order& order) {
    std::size_t bytes = sizeof(Order) + order.order_id.size() + order.courier.name.size();
    for (const auto& line : order.lines) {
      bytes += sizeof(OrderLine) + line.product_id.size() + line.product_name.size();
    }
    return bytes;
  }

  void reject(const InputItem& item, const std::string& why) {
    ++rejected_;
    const std::lock_guard guard(mutex_);  // the store's thread prints conflicts
    std::cout << "rejected " << describe_item(item, "pedido_id") << ": " << why << "\n";
  }

  OrderStore& store_;
  const BusinessCalendar& source_;
  const Clock& clock_;
  std::size_t items_ = 0;
  std::size_t rejected_ = 0;

  std::mutex mutex_;  // guards what follows
  std::condition_variable room_;
  std::size_t in_flight_ = 0;
  std::size_t imported_ = 0;
  std::size_t present_ = 0;
  std::size_t conflicting_ = 0;
  std::size_t unstored_ = 0;
  std::size_t in_flight_bytes_ = 0;
};

// After an import, somebody must be able to administer cargomon: if no
// enabled admin exists, `admin_name` becomes one (the original's `admin`
// could do everything), created with a password shown once when absent.
void ensure_enabled_admin(UserStore& users, const std::string& admin_name, const Clock& clock) {
  const auto all = users.list_users();
  if (std::any_of(all.begin(), all.end(), is_enabled_admin)) return;
  // Through the user service, as `cargomon user` and /usuarios: its rules,
  // and its token generations, apply.
  StoredUserDirectory directory(users);
  UserService service(directory, auth::hash_password, clock);
  std::string why;
  if (users.find_user(admin_name)) {
    const auto promoted = service.update(admin_name, {.role = Role::admin, .disabled = false});
    if (promoted.ok()) {
      std::cout << "no enabled admin after the import: " << admin_name
                << " is now an admin (its password is unchanged)" << std::endl;
      return;
    }
    why = promoted.detail;
  } else {
    const std::string password = auth::generate_password();
    const auto created = service.create({admin_name, password, Role::admin});
    if (created.ok()) {
      std::cout << "no enabled admin after the import: created " << admin_name
                << " (role admin) with password: " << password
                << "\n(shown only this once; change it with `cargomon user passwd " << admin_name
                << "`)" << std::endl;
      return;
    }
    why = created.detail;
  }
  throw std::runtime_error("no enabled admin after the import, and " + admin_name +
                           " could be neither promoted nor created (" + why +
                           "): run `cargomon user role NAME admin` for an imported user");
}

// The original Usuarios table: username and clear-text password. Existing
// users are left as they are. The original had one kind of user, who could
// do everything: each imported user gets `default_role` (courier: devices
// keep registering orders, and nothing more), the one named `admin_name`
// gets admin, and an item's own "role" attribute wins over both.
class UserImport {
 public:
  UserImport(UserStore& users, Role default_role, std::string admin_name)
      : users_(users), default_role_(default_role), admin_name_(std::move(admin_name)) {}

  void add(const InputItem& item) {
    ++items_;
    if (!item.value) return reject(item, item.error);
    const auto text = [&](const char* key) -> const std::string* {
      const auto* node = item.value->find(key);
      return node && node->kind == api::JsonNode::Kind::string ? &node->text : nullptr;
    };
    const auto* username = text("username");
    const auto* password = text("password");
    if (!username) return reject(item, "username: must be a string");
    if (auto problem = username_problem(*username)) return reject(item, "username: " + *problem);
    if (!password || password->empty()) return reject(item, "password: must be a non-empty string");
    Role role = *username == admin_name_ ? Role::admin : default_role_;
    if (const auto* named = text("role")) {
      const auto parsed = parse_role(*named);
      if (!parsed) return reject(item, "role: " + std::string(kRoleProblem));
      role = *parsed;
    }
    if (users_.find_user(*username)) {
      ++present_;
      return;
    }
    const auto hash = auth::hash_password(*password);
    if (users_.create_user(User{*username, hash, role, false}) != UserChange::done) {
      ++present_;
      return;
    }
    ++imported_;
    ++by_role_[role];
    // Kept, so the devices go on logging in, but named: today's policy
    // would refuse it.
    if (password_problem(*password)) weak_.push_back(*username);
  }

  // Prints what was done; the exit status.
  int finish(const std::string& source) const {
    std::cout << "users from " << source << ": " << imported_ << " imported, " << present_
              << " already present, " << rejected_ << " rejected (" << items_ << " items)\n";
    if (imported_ > 0) {
      std::cout << "roles of the imported users:";
      for (const auto& [role, count] : by_role_) {
        std::cout << " " << to_string(role) << " " << count;
      }
      std::cout << " (change one with `cargomon user role NAME ROLE`)\n";
    }
    if (!weak_.empty()) {
      // A name list, bounded: thousands of weak passwords print a count.
      constexpr std::size_t kNamed = 20;
      std::cout << weak_.size() << " imported password(s) fail today's policy ("
                << *password_problem("")
                << ") and must be changed with `cargomon user passwd NAME`:";
      for (std::size_t i = 0; i < std::min(weak_.size(), kNamed); ++i) {
        std::cout << " " << weak_[i];
      }
      if (weak_.size() > kNamed) std::cout << " and " << weak_.size() - kNamed << " more";
      std::cout << "\n";
    }
    std::cout << std::flush;
    return rejected_ > 0 ? 2 : 0;
  }

  // The totals, for the audit trail.
  AuditDetail summary() const {
    return {{"tipo", "usuarios"},
            {"importados", std::to_string(imported_)},
            {"presentes", std::to_string(present_)},
            {"rechazados", std::to_string(rejected_)}};
  }

 private:
  void reject(const InputItem& item, const std::string& why) {
    ++rejected_;
    std::cout << "rejected user " << describe_item(item, "username") << ": " << why << "\n";
  }

  UserStore& users_;
  Role default_role_;
  std::string admin_name_;
  std::size_t items_ = 0, imported_ = 0, present_ = 0, rejected_ = 0;
  std::map<Role, std::size_t> by_role_;
  std::vector<std::string> weak_;  // passwords today's policy refuses
};

// Reads one of the original's live tables with Scan, page by page, and hands
// every item to `sink`, numbered across pages. Each page is read by the
// same reader as an export file, so the same rules and reports apply. After each page it says how
// far it got and how to resume from there: the import is idempotent, so resuming (or starting over)
// after an interruption stores nothing twice.
void scan_table(aws::DynamoDbClient& client, const std::string& table, std::size_t page_size,
                const std::string& start_key, std::string_view id_key,
                const std::function<void(InputItem)>& sink) {
  json::object request{{"TableName", table}, {"ConsistentRead", true}};
  if (page_size > 0) request["Limit"] = page_size;
  if (!start_key.empty()) {
    boost::system::error_code error;
    auto key = json::parse(start_key, error);
    if (error || !key.is_object()) {
      throw std::runtime_error("--start-key must be the JSON key an earlier import printed");
    }
    request["ExclusiveStartKey"] = std::move(key);
  }
  std::size_t items = 0;
  for (;;) {
    const auto result = client.call("Scan", request);
    if (result.kind == aws::DynamoDbResult::Kind::refused) {
      throw std::runtime_error("Scan of " + table + " refused: " + result.error.type + ": " +
                               result.error.message);
    }
    if (result.kind != aws::DynamoDbResult::Kind::ok) {
      throw std::runtime_error("Scan of " + table + " failed: " + result.detail +
                               (items > 0 ? " (resume with the last --start-key printed)" : ""));
    }
    // As an export to S3 writes them, one {"Item": …} per line: each line
    // is one item (DynamoDB keeps an item under 400 KB), within the reader's
    // bound for an item, whereas a page as one document may pass it.
    std::string lines;
    if (const auto* page_items = result.body.as_object().if_contains("Items")) {
      for (const auto& item : page_items->as_array()) {
        lines += R"({"Item":)";
        lines += json::serialize(item);
        lines += "}\n";
      }
    }
    std::istringstream page(std::move(lines));
    const std::size_t before = items;
    read_items(page, id_key, [&](InputItem item) {
      item.number += before;
      item.line = 0;  // a line of this page: says nothing about the table
      ++items;
      sink(std::move(item));
    });
    const auto* more = result.body.as_object().if_contains("LastEvaluatedKey");
    if (more == nullptr) break;
    const std::string key = json::serialize(*more);
    std::cerr << table << ": " << items << " items read; to resume from here: --start-key '" << key
              << "'" << std::endl;
    request["ExclusiveStartKey"] = *more;
  }
}

struct ImportOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a store URL (open_store.hpp); empty: SQLite in data_dir
  std::string timezone = "America/Bogota";
  std::string file;
  std::string users_file;
  std::string users_role = "courier";
  std::string admin_user = "admin";
  std::string source_timezone;  // empty: the business timezone
  // The original's live tables, read with Scan (credentials, region and
  // endpoint from AWS_*, as for a dynamodb:// store).
  std::string orders_table;
  std::string users_table;
  std::string start_key;      // resumes the orders table's scan
  std::size_t page_size = 0;  // items per Scan page; 0: DynamoDB's (1 MB)
  bool create = false;        // --create: a new database in a missing --data-dir
};

int run_import(const ImportOptions& o) {
  if (o.file.empty() && o.users_file.empty() && o.orders_table.empty() && o.users_table.empty()) {
    throw std::runtime_error(
        "nothing to import: give a FILE of orders or --from-dynamodb TABLE, --users FILE or "
        "--users-table TABLE, or both");
  }
  const auto role = parse_role(o.users_role);
  if (!role) throw std::runtime_error("--users-role " + std::string(kRoleProblem));
  std::optional<Input> orders, users;  // opened before the store: a typo creates nothing
  if (!o.file.empty()) orders.emplace(o.file);
  if (!o.users_file.empty()) users.emplace(o.users_file);
  std::unique_ptr<aws::DynamoDbClient> original;  // the original's tables
  if (!o.orders_table.empty() || !o.users_table.empty()) {
    original = std::make_unique<aws::DynamoDbClient>(aws::config_from_environment("dynamodb"));
  }

  const BusinessCalendar calendar(o.timezone);
  // Only reads timestamps: which day an order belongs to is the store's
  // business, in the business timezone.
  const BusinessCalendar source(o.source_timezone.empty() ? o.timezone : o.source_timezone);
  const SystemClock clock;
  const auto store =
      open_store(o.store, o.data_dir, calendar,
                 o.create ? IfMissing::create : IfMissing::create_in_empty_directory);
  AuditRecorder audit([&store](const AuditEntry& entry) { store->append_audit(entry); }, clock,
                      AuditRecorder::random_audit_id,
                      [](const AuditEntry& entry, const std::string& why) {
                        std::cerr << "warning: audit entry " << entry.action << " not kept: " << why
                                  << "\n";
                      });
  int status = 0;
  if (orders || !o.orders_table.empty()) {
    OrderImport import(*store, source, clock);
    const std::string name = orders ? orders->name() : "table " + o.orders_table;
    const auto add = [&](InputItem item) { import.add(std::move(item)); };
    try {
      if (orders) {
        read_items(orders->stream(), "pedido_id", add);
      } else {
        scan_table(*original, o.orders_table, o.page_size, o.start_key, "pedido_id", add);
      }
    } catch (const std::exception& e) {
      import.finish(name);
      auto detail = import.summary();
      detail.emplace_back("interrumpida", e.what());
      audit.record(audit_action::import, cli_actor(), "", name, std::move(detail));
      throw std::runtime_error(name + ": " + e.what() + " (the items before it were imported)");
    }
    status = import.finish(name);
    audit.record(audit_action::import, cli_actor(), "", name, import.summary());
  }
  if (users || !o.users_table.empty()) {
    UserImport import(*store, *role, o.admin_user);
    const std::string name = users ? users->name() : "table " + o.users_table;
    const auto add = [&](const InputItem& item) { import.add(item); };
    try {
      if (users) {
        read_items(users->stream(), "username", add);
      } else {
        scan_table(*original, o.users_table, o.page_size, "", "username", add);
      }
    } catch (const std::exception& e) {
      import.finish(name);
      auto detail = import.summary();
      detail.emplace_back("interrumpida", e.what());
      audit.record(audit_action::import, cli_actor(), "", name, std::move(detail));
      throw std::runtime_error(name + ": " + e.what());
    }
    status = std::max(status, import.finish(name));
    audit.record(audit_action::import, cli_actor(), "", name, import.summary());
    ensure_enabled_admin(*store, o.admin_user, clock);
  }
  return status;
}

// ---- export ----

struct ExportOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a store URL (open_store.hpp); empty: SQLite in data_dir
  std::string timezone = "America/Bogota";
  std::string fecha;
  std::string desde;
  std::string hasta;
  std::string repartidor;
  std::string format = "csv";
  std::string output;
};

int run_export(const ExportOptions& o) {
  const BusinessCalendar calendar(o.timezone);
  OrderQuery query;
  query.limit = 1000;
  if (!o.fecha.empty()) {
    query.day = parse_business_day(o.fecha);
    if (!query.day) throw std::runtime_error("--fecha must be a date YYYY-MM-DD");
  }
  for (const auto& [text, target, name] : {std::tuple{&o.desde, &query.from, "--desde"},
                                           std::tuple{&o.hasta, &query.until, "--hasta"}}) {
    if (text->empty()) continue;
    if (const auto day = parse_business_day(*text)) {
      *target = calendar.start_of(*day);  // a bare date: midnight there
    } else {
      *target = calendar.parse_timestamp(*text);
    }
    if (!*target) {
      throw std::runtime_error(std::string(name) +
                               " must be a date YYYY-MM-DD or a timestamp like "
                               "2024-09-12T03:50:58 or 2024-09-12 03:50:58, optionally with Z or "
                               "an offset");
    }
  }
  if (!o.repartidor.empty()) query.courier_id = o.repartidor;
  const bool csv = o.format == "csv";

  // Opened before the output file, so that a wrong --store or --data-dir
  // leaves no empty file behind.
  const auto store = open_store(o.store, o.data_dir, calendar, IfMissing::fail);
  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + o.output);
  }
  std::ostream& out = file.is_open() ? file : std::cout;

  std::string buffer;
  if (csv) buffer += api::kOrderCsvHead;
  std::size_t orders = 0, lines = 0;
  for (;;) {
    const auto page = store->list_orders(query);
    for (const auto& order : page.orders) {
      ++orders;
      lines += order.lines.size();
      if (csv) {
        api::append_order_csv(buffer, order, calendar);
      } else {
        api::JsonWriter json;
        api::write_order(json, order, calendar);
        buffer += json.str();
        buffer += '\n';
      }
    }
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    if (!out) throw std::runtime_error("write failed");
    if (!page.next) break;
    query.after = page.next;
  }
  out.flush();
  if (!out) throw std::runtime_error("write failed");
  std::cerr << "exported " << orders << " orders (" << lines << " product lines)"
            << (o.output.empty() ? "" : " to " + o.output) << ", newest first" << std::endl;
  return 0;
}

}  // namespace

void add_import_command(CLI::App& app, ExitStatus& status) {
  const auto [cmd, o] = add_command<ImportOptions>(
      app, status, "import",
      "Import orders from the original system's DynamoDB Pedidos table (a scan's JSON, or an "
      "export to S3 with one {\"Item\": …} per line) or from `cargomon export --format jsonl`; "
      "idempotent. Exit status 2 when some items were rejected or conflicting.",
      run_import);
  auto* file = cmd->add_option("file", o->file, "File of orders (- for stdin)");
  auto* from_table =
      cmd->add_option("--from-dynamodb", o->orders_table,
                      "Read the orders from the original's live DynamoDB table (Pedidos) with "
                      "Scan instead of a file; credentials, region and endpoint from AWS_*");
  from_table->excludes(file);
  add_data_dir_option(*cmd, o->data_dir);
  add_store_option(*cmd, o->store);
  add_create_option(*cmd, o->create);
  add_timezone_option(*cmd, o->timezone);
  auto* users_file =
      cmd->add_option("--users", o->users_file,
                      "The original Usuarios table (username, clear-text password): passwords "
                      "are hashed; existing users are left alone");
  cmd->add_option("--users-table", o->users_table,
                  "Read the users from the original's live DynamoDB table (Usuarios) instead")
      ->excludes(users_file);
  cmd->add_option("--start-key", o->start_key,
                  "Resume --from-dynamodb after the key an interrupted import printed")
      ->needs(from_table);
  cmd->add_option("--page-size", o->page_size,
                  "Items per Scan page (default: DynamoDB's, 1 MB of items)");
  cmd->add_option("--users-role", o->users_role,
                  "Role of imported users without a role attribute: admin, viewer or courier "
                  "(courier: the devices keep registering orders, and can do nothing more)")
      ->capture_default_str();
  cmd->add_option("--admin-user", o->admin_user,
                  "The imported user who becomes an admin (the original's administrator); "
                  "after the import an enabled admin always exists: this user is promoted, "
                  "or created with a generated password, if none does")
      ->capture_default_str();
  cmd->add_option("--source-timezone", o->source_timezone,
                  "Zone of the file's timestamps written without an offset (the original's "
                  "Lambda wrote UTC); default: the business timezone");
}

void add_export_command(CLI::App& app, ExitStatus& status) {
  const auto [cmd, o] = add_command<ExportOptions>(
      app, status, "export",
      "Write orders as CSV (one row per product line, UTF-8 with BOM) or JSON lines (the API's "
      "order shape, which `cargomon import` reads back), newest first",
      run_export);
  add_data_dir_option(*cmd, o->data_dir);
  add_store_option(*cmd, o->store);
  add_timezone_option(*cmd, o->timezone);
  auto* fecha = cmd->add_option("--fecha", o->fecha, "Only this business day, YYYY-MM-DD");
  auto* desde = cmd->add_option("--desde", o->desde,
                                "Only orders at or after this time (a date: its midnight)");
  auto* hasta =
      cmd->add_option("--hasta", o->hasta, "Only orders before this time (a date: its midnight)");
  fecha->excludes(desde)->excludes(hasta);
  cmd->add_option("--repartidor", o->repartidor, "Only this IdRepartidor");
  cmd->add_option("--format", o->format, "csv or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", o->output, "File to write (default: standard output)");
}

}  // namespace cargomon::cli
