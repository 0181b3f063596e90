#include "domain/audit.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <random>

namespace cargomon {
namespace {

bool contains_word(std::string_view text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != text.end();
}

bool needs_escape(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f || c == '%' || c == '&' || c == '=';
}

void percent_encode(std::string& out, std::string_view text) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  for (const char c : text) {
    if (needs_escape(c)) {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string cut_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so the cut lands before a
  // character's first byte.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

bool is_secret_key(std::string_view key) {
  return contains_word(key, "password") || contains_word(key, "hash") ||
         contains_word(key, "token") || contains_word(key, "secret") ||
         contains_word(key, "contrase") || contains_word(key, "secreto");
}

AuditEntry bounded(AuditEntry entry) {
  entry.action = cut_utf8(entry.action, kMaxAuditActionBytes);
  entry.actor = cut_utf8(entry.actor, kMaxAuditTextBytes);
  entry.address = cut_utf8(entry.address, kMaxAuditTextBytes);
  entry.subject = cut_utf8(entry.subject, kMaxAuditTextBytes);
  AuditDetail kept;
  std::size_t bytes = 0;
  for (auto& [key, value] : entry.detail) {
    if (is_secret_key(key)) continue;
    auto k = cut_utf8(key, kMaxAuditTextBytes);
    auto v = cut_utf8(value, kMaxAuditDetailValueBytes);
    if (bytes + k.size() + v.size() > kMaxAuditDetailBytes) break;
    bytes += k.size() + v.size();
    kept.emplace_back(std::move(k), std::move(v));
  }
  entry.detail = std::move(kept);
  return entry;
}

std::string encode_audit_detail(const AuditDetail& detail) {
  std::string out;
  for (const auto& [key, value] : detail) {
    if (!out.empty()) out += '&';
    percent_encode(out, key);
    out += '=';
    percent_encode(out, value);
  }
  return out;
}

AuditDetail decode_audit_detail(std::string_view text) {
  AuditDetail detail;
  while (!text.empty()) {
    const auto end = std::min(text.find('&'), text.size());
    const auto pair = text.substr(0, end);
    const auto equals = std::min(pair.find('='), pair.size());
    detail.emplace_back(percent_decode(pair.substr(0, equals)),
                        equals < pair.size() ? percent_decode(pair.substr(equals + 1)) : "");
    text = end < text.size() ? text.substr(end + 1) : std::string_view();
  }
  return detail;
}

AuditRecorder::AuditRecorder(Append append, const Clock& clock, NewId new_id, Failed failed)
    : append_(std::move(append)),
      clock_(clock),
      new_id_(std::move(new_id)),
      failed_(std::move(failed)) {}

bool AuditRecorder::record(AuditEntry entry) {
  entry.id = new_id_();
  entry.at = clock_.now();
  entry = bounded(std::move(entry));
  try {
    append_(entry);
    return true;
  } catch (const std::exception& e) {
    if (failed_) failed_(entry, e.what());
    return false;
  }
}

bool AuditRecorder::record(std::string_view action, std::string_view actor,
                           std::string_view address, std::string_view subject, AuditDetail detail) {
  AuditEntry entry;
  entry.action = action;
  entry.actor = actor;
  entry.address = address;
  entry.subject = subject;
  entry.detail = std::move(detail);
  return record(std::move(entry));
}

void AuditRecorder::record_user_change(std::string_view actor, std::string_view address,
                                       const std::optional<User>& before, const User& after,
                                       bool password_set) {
  const std::string role(to_string(after.role));
  if (!before) {
    record(audit_action::user_created, actor, address, after.username, {{"rol", role}});
    return;
  }
  if (before->role != after.role) {
    record(audit_action::user_role_changed, actor, address, after.username,
           {{"rol_anterior", std::string(to_string(before->role))}, {"rol", role}});
  }
  if (before->disabled != after.disabled) {
    record(after.disabled ? audit_action::user_disabled : audit_action::user_enabled, actor,
           address, after.username);
  }
  if (password_set) {
    record(audit_action::user_changed, actor, address, after.username, {{"cambio", "contraseña"}});
  }
}

bool AuditRecorder::record_throttled_login(std::string_view username, std::string_view address) {
  const auto name = cut_utf8(username, kMaxAuditTextBytes);
  const auto from = cut_utf8(address, kMaxAuditTextBytes);
  bool overflow = false;
  {
    const std::lock_guard lock(mutex_);
    const auto now = clock_.now();
    if (now >= window_start_ + kThrottledWindow || now < window_start_) {
      window_start_ = now;
      throttled_in_window_.clear();
      overflow_recorded_ = false;
    }
    std::string key = name;
    key += '\n';
    key += from;
    if (throttled_in_window_.contains(key)) return false;
    if (throttled_in_window_.size() >= kMaxThrottledKeys) {
      if (overflow_recorded_) return false;
      overflow_recorded_ = true;
      overflow = true;
    } else {
      throttled_in_window_.insert(std::move(key));
    }
  }
  if (overflow) {
    // One entry stands for every other account and address of this window.
    return record(audit_action::login_throttled, "", "", "",
                  {{"motivo",
                    "more throttled accounts and addresses than are recorded one by "
                    "one; once per window for all others"}});
  }
  return record(audit_action::login_throttled, name, from, name,
                {{"ventana_segundos", std::to_string(kThrottledWindow.count())}});
}

std::string AuditRecorder::random_audit_id() {
  thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  auto value = random();
  std::string id(16, '0');
  for (auto& c : id) {
    c = kHex[value & 0xf];
    value >>= 4;
  }
  return id;
}

}  // namespace cargomon
