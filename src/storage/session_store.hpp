#pragma once
// Signed-in sessions: what lets a screen renew its short-lived access token
// for weeks without a password (POST /token/renovar), and what an admin sees
// and revokes (GET/DELETE /sesiones).
//
// A session is known by a public random id; its refresh token is
// "<id>.<secret>", and only a SHA-256 hash of the secret is stored
// (auth/refresh_token.hpp). Each renewal rotates the secret: the store
// accepts the current one, answers `reused` for any other (an older,
// already rotated token presented again is a copy someone kept: the session
// is revoked then, so the thief and the screen are both signed out), with one
// allowance: the secret just replaced is taken once more within a short
// grace period, for a screen whose renewal answer was lost on the way.
//
// Error policy: that of Store (store.hpp): StoreUnavailable when the store
// cannot do its work. Thread safety: every method may be called from any
// thread, also by several instances sharing a store.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/clock.hpp"

namespace cargomon {

struct StoredSession {
  std::string id;  // public: 32 hex characters
  std::string username;
  std::string refresh_hash;   // hex SHA-256 of the current refresh secret
  std::string previous_hash;  // of the secret it replaced; empty before the first renewal
  // The user's token generation when signed in: a password, role or access
  // change moves it on, and the session no longer renews.
  std::int64_t token_generation = 0;
  bool keep_signed_in = false;  // the "keep this screen signed in" choice
  Timestamp created_at;
  Timestamp last_used_at;  // signed in or last renewed
  Timestamp expires_at;    // moves on with every renewal
  std::string address;     // the client's, when last used
  std::string user_agent;  // as sent, cut to kMaxUserAgentBytes
  bool revoked = false;

  static constexpr std::size_t kMaxUserAgentBytes = 256;

  friend bool operator==(const StoredSession&, const StoredSession&) = default;
};

struct SessionRotation {
  std::string id;
  std::string presented_hash;  // of the secret the client sent
  std::string new_hash;        // of the secret it will get
  Timestamp now;
  Timestamp expires_at;  // the session's new expiry
  // The secret just replaced is accepted again if the session was last
  // renewed after this time (the grace for a lost answer).
  Timestamp retry_since;
  std::string address;
};

enum class RotationOutcome {
  rotated,  // the session now answers to new_hash
  reused,   // a secret that is not the session's: the session is now revoked
  gone,     // no such session, or it expired or was revoked: nothing changed
};

// What rotate_session does with `session` (read inside the write's
// transaction, under its lock): the rule every store applies, so that they
// agree. For stores that read, decide and write in one transaction.
inline RotationOutcome decide_rotation(const StoredSession& session,
                                       const SessionRotation& rotation) {
  if (session.revoked || session.expires_at <= rotation.now) return RotationOutcome::gone;
  if (rotation.presented_hash == session.refresh_hash) return RotationOutcome::rotated;
  if (!session.previous_hash.empty() && rotation.presented_hash == session.previous_hash &&
      session.last_used_at > rotation.retry_since) {
    return RotationOutcome::rotated;
  }
  return RotationOutcome::reused;
}

// `session` as rotate_session leaves it after `rotated`.
inline void apply_rotation(StoredSession& session, const SessionRotation& rotation) {
  // A retry within the grace keeps the previous secret as it was: the one
  // presented is that one.
  session.previous_hash = rotation.presented_hash;
  session.refresh_hash = rotation.new_hash;
  session.last_used_at = rotation.now;
  session.expires_at = rotation.expires_at;
  session.address = rotation.address;
}

// What list_sessions answers from `sessions` (all the store holds, or a
// superset of the answer): for stores that cannot filter and order as they
// read.
inline std::vector<StoredSession> listed_sessions(std::vector<StoredSession> sessions,
                                                  const std::string& username, Timestamp now,
                                                  std::size_t limit) {
  std::erase_if(sessions, [&](const StoredSession& session) {
    return session.revoked || session.expires_at <= now ||
           (!username.empty() && session.username != username);
  });
  std::sort(sessions.begin(), sessions.end(), [](const auto& a, const auto& b) {
    return a.last_used_at != b.last_used_at ? a.last_used_at > b.last_used_at : a.id < b.id;
  });
  if (sessions.size() > limit) sessions.resize(limit);
  return sessions;
}

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Stores a new session (its id is fresh: 128 random bits).
  virtual void create_session(const StoredSession& session) = 0;
  // The session, also when revoked or expired (the caller tells them apart).
  virtual std::optional<StoredSession> find_session(const std::string& id) = 0;
  // Atomically: checks the presented hash against the session's and, when
  // it is the current one (or the previous one within the grace), makes
  // new_hash current, remembers the presented one as previous and moves
  // last_used_at, expires_at and address on. Concurrent rotations with the
  // same secret outside the grace: one is rotated, the others reused (and
  // the session revoked).
  virtual RotationOutcome rotate_session(const SessionRotation& rotation) = 0;
  // Sessions neither revoked nor expired at `now`, of `username` (or of
  // everyone when empty), most recently used first, at most `limit`.
  virtual std::vector<StoredSession> list_sessions(const std::string& username, Timestamp now,
                                                   std::size_t limit) = 0;
  // Revokes the session; false when there is none neither revoked nor expired.
  virtual bool revoke_session(const std::string& id, Timestamp now) = 0;
  // Deletes sessions expired at `now` (revoked ones are kept until they
  // expire, so that a revoked token is told apart from an unknown one), at
  // most `limit` of them; returns how many.
  virtual std::size_t prune_sessions(Timestamp now, std::size_t limit) = 0;
};

}  // namespace cargomon
