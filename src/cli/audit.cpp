// `cargomon audit`: the audit trail read directly from the store (newest
// first, as GET /auditoria), as JSON lines or a table; and pruning it by
// hand, for deployments where no `cargomon serve` runs to prune it (Lambda).

#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>

#include "api/audit_json.hpp"
#include "cli/commands.hpp"
#include "cli/settings.hpp"
#include "storage/audit_retention.hpp"
#include "storage/open_store.hpp"

namespace cargomon::cli {
namespace {

struct AuditOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a store URL (open_store.hpp); empty: SQLite in data_dir
  std::string timezone = "America/Bogota";
  std::string accion;
  std::string usuario;
  std::string desde;
  std::string hasta;
  std::size_t limit = 100;
  std::string format = "jsonl";
  int prune_days = -1;  // >= 0: delete entries older than this many days instead of listing
};

std::optional<Timestamp> time_option(const BusinessCalendar& calendar, const std::string& text,
                                     const char* name) {
  if (text.empty()) return std::nullopt;
  if (const auto day = parse_business_day(text)) return calendar.start_of(*day);
  if (auto at = calendar.parse_timestamp(text)) return at;
  throw std::runtime_error(std::string(name) +
                           " must be a date YYYY-MM-DD or a timestamp like 2024-09-12T03:50:58, "
                           "optionally with Z or an offset");
}

void print_row(const AuditEntry& entry, const BusinessCalendar& calendar) {
  std::string detail;
  for (const auto& [key, value] : entry.detail) {
    if (!detail.empty()) detail += ' ';
    detail += key;
    detail += '=';
    detail += value;
  }
  // Tabs and newlines inside a field would break the columns.
  const auto clean = [](std::string text) {
    for (auto& c : text) {
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return text;
  };
  std::cout << calendar.format(entry.at) << "\t" << clean(entry.action) << "\t"
            << clean(entry.actor) << "\t" << clean(entry.address.empty() ? "-" : entry.address)
            << "\t" << clean(entry.subject) << "\t" << clean(detail) << "\n";
}

int run_audit(const AuditOptions& o) {
  const BusinessCalendar calendar(o.timezone);
  AuditQuery query;
  if (!o.accion.empty()) query.action = o.accion;
  if (!o.usuario.empty()) query.actor = o.usuario;
  query.from = time_option(calendar, o.desde, "--desde");
  query.until = time_option(calendar, o.hasta, "--hasta");
  const auto store = open_store(o.store, o.data_dir, calendar, IfMissing::fail);
  if (o.prune_days >= 0) {
    const SystemClock clock;
    const AuditRetention retention{.keep = std::chrono::days(o.prune_days),
                                   .max_batches = std::numeric_limits<std::size_t>::max()};
    std::cout << prune_expired_audit(*store, clock, retention) << " audit entries older than "
              << o.prune_days << " days deleted\n";
    return 0;
  }
  if (o.format == "table") std::cout << "fecha\taccion\tusuario\tdireccion\tobjeto\tdetalle\n";
  for (std::size_t wanted = o.limit; wanted > 0;) {
    AuditQuery part = query;
    part.limit = std::min<std::size_t>(wanted, 500);
    const auto page = store->list_audit(part);
    for (const auto& entry : page.entries) {
      if (o.format == "table") {
        print_row(entry, calendar);
      } else {
        api::JsonWriter out;
        api::write_audit_entry(out, entry, calendar);
        std::cout << out.str() << "\n";
      }
      --wanted;
    }
    if (!page.next) break;
    query.after = page.next;
  }
  std::cout << std::flush;
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, ExitStatus& status) {
  const auto [cmd, o] = add_command<AuditOptions>(
      app, status, "audit",
      "Show the audit trail (who changed users, failed logins, imports…), newest first, as JSON "
      "lines or a table; or prune it",
      run_audit);
  add_data_dir_option(*cmd, o->data_dir);
  add_store_option(*cmd, o->store);
  cmd->add_option("--timezone", o->timezone, "Timezone the times are shown and read in")
      ->envname("CARGOMON_TIMEZONE")
      ->capture_default_str();
  cmd->add_option("--accion", o->accion, "Only this action, such as usuario.creado");
  cmd->add_option("--usuario", o->usuario, "Only what this user (or cli:NAME) did");
  cmd->add_option("--desde", o->desde, "Only entries at or after this time (a date: its midnight)");
  cmd->add_option("--hasta", o->hasta, "Only entries before this time (a date: its midnight)");
  cmd->add_option("--limit", o->limit, "At most this many entries")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cmd->add_option("--format", o->format, "jsonl or table")
      ->check(CLI::IsMember({"jsonl", "table"}))
      ->capture_default_str();
  cmd->add_option("--prune-days", o->prune_days,
                  "Delete the entries older than this many days (instead of listing)")
      ->check(CLI::Range(1, 36'500));
}

}  // namespace cargomon::cli
