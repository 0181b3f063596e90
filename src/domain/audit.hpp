#pragma once
// The audit trail: every change of state that is not an order (users, roles,
// refused logins, imports, webhooks, alert rules, the token secret), kept
// append-only with who, when, from where and what. Never a password, a hash
// or a token: what an entry says is bounded here, before any store sees it.
//
// Thread safety: AuditRecorder may be used from any thread (one mutex guards
// the throttled-login window); AuditEntry is a value.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/clock.hpp"
#include "domain/user.hpp"

namespace cargomon {

// What happened: the names the API filters by (`accion`) and shows. Other
// parts add theirs here, in the same "thing.past_participle" form.
namespace audit_action {
inline constexpr std::string_view user_created = "usuario.creado";
inline constexpr std::string_view user_changed = "usuario.modificado";  // password set
inline constexpr std::string_view user_disabled = "usuario.deshabilitado";
inline constexpr std::string_view user_enabled = "usuario.habilitado";
inline constexpr std::string_view user_role_changed = "usuario.rol_cambiado";
inline constexpr std::string_view login_failed = "login.fallido";
inline constexpr std::string_view login_throttled = "login.limitado";
inline constexpr std::string_view import = "importacion";
inline constexpr std::string_view secret_rotated = "secreto.rotado";
inline constexpr std::string_view webhook_created = "webhook.creado";
inline constexpr std::string_view webhook_changed = "webhook.modificado";
inline constexpr std::string_view webhook_deleted = "webhook.eliminado";
inline constexpr std::string_view alert_rule_created = "regla_alerta.creada";
inline constexpr std::string_view alert_rule_changed = "regla_alerta.modificada";
inline constexpr std::string_view alert_rule_deleted = "regla_alerta.eliminada";
}  // namespace audit_action

// Who acted when nobody signed in: the command line, the server itself.
inline constexpr std::string_view kCliActor = "cli";
inline constexpr std::string_view kSystemActor = "system";

// Bounds of what one entry holds (bytes of UTF-8): longer texts are cut at a
// character boundary, details past the total are dropped, so that an entry
// (and a flood of refused logins) costs at most about 1.5 KB.
inline constexpr std::size_t kMaxAuditActionBytes = 64;
inline constexpr std::size_t kMaxAuditTextBytes = 128;     // actor, address, subject
inline constexpr std::size_t kMaxAuditDetailBytes = 1024;  // every key and value together
inline constexpr std::size_t kMaxAuditDetailValueBytes = 256;

// Key/value pairs in the order given; strings only.
using AuditDetail = std::vector<std::pair<std::string, std::string>>;

struct AuditEntry {
  std::string id;  // unique; with `at` it orders the trail (newest first)
  Timestamp at;
  std::string action;   // audit_action::…
  std::string actor;    // a username, kCliActor (with the OS user) or kSystemActor
  std::string address;  // the client's address; empty from the command line
  std::string subject;  // what it is about: a username, a file name
  AuditDetail detail;

  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// `text` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string cut_utf8(std::string_view text, std::size_t max_bytes);

// True for a detail key that could carry a secret (password, hash, token,
// secret, in any case): such pairs are never kept.
bool is_secret_key(std::string_view key);

// The entry within the bounds above, secret keys dropped.
AuditEntry bounded(AuditEntry entry);

// A detail as one line of text and back, for stores that keep it in one
// column: key=value pairs joined by '&', each percent-encoded.
std::string encode_audit_detail(const AuditDetail& detail);
AuditDetail decode_audit_detail(std::string_view text);

// Writes entries, dated by its clock and given fresh ids. What `append`
// throws (a store that is down) is reported to `failed` and swallowed: the
// change it records has already happened, and refusing it afterwards would
// not undo it.
class AuditRecorder {
 public:
  using Append = std::function<void(const AuditEntry&)>;
  using NewId = std::function<std::string()>;
  using Failed = std::function<void(const AuditEntry&, const std::string& why)>;

  // A throttled account+address is recorded at most once per window, and at
  // most kMaxThrottledKeys of them per window; past that, once per window
  // for all others together: a login flood adds a bounded number of entries.
  static constexpr std::chrono::seconds kThrottledWindow{300};
  static constexpr std::size_t kMaxThrottledKeys = 4096;

  AuditRecorder(Append append, const Clock& clock, NewId new_id = random_audit_id,
                Failed failed = {});

  // Records the entry (its id and time set here); false when it failed.
  bool record(AuditEntry entry);
  bool record(std::string_view action, std::string_view actor, std::string_view address,
              std::string_view subject, AuditDetail detail = {});
  // What a change of a user made, one entry each: usuario.creado (no
  // `before`), usuario.rol_cambiado, usuario.deshabilitado or
  // usuario.habilitado, usuario.modificado (a password set: said, never
  // shown). Nothing for an update that changed nothing.
  void record_user_change(std::string_view actor, std::string_view address,
                          const std::optional<User>& before, const User& after, bool password_set);
  // login.limitado for `username` from `address`, unless one was recorded
  // for them within the window. True when an entry was written.
  bool record_throttled_login(std::string_view username, std::string_view address);

  // 16 random hex digits.
  static std::string random_audit_id();

 private:
  Append append_;
  const Clock& clock_;
  NewId new_id_;
  Failed failed_;
  std::mutex mutex_;  // guards what follows
  Timestamp window_start_{};
  std::set<std::string, std::less<>> throttled_in_window_;
  bool overflow_recorded_ = false;
};

}  // namespace cargomon
