#include "api/language.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

namespace cargomon::api {
namespace {

// An English message with holes ("{}": any text, kept as it is; "{kind}": a
// JSON kind such as "an array", translated; "{msg}": another message of the
// catalogue, translated) and its Spanish.
struct Translation {
  std::string_view english;
  std::string_view spanish;
};

// Every message the API writes (language_test.cpp checks them). Spanish as
// Colombia writes it; "tú" as the dashboard speaks.
constexpr std::array kCatalogue{
    // Requests and bodies.
    Translation{"Not Found", "No encontrado"},
    Translation{"Method Not Allowed", "Método no permitido"},
    Translation{"Internal Server Error", "Error interno del servidor"},
    Translation{"Malformed request target", "La ruta de la solicitud no es válida"},
    Translation{"Content-Type must be application/json, not {}",
                "Content-Type debe ser application/json, no {}"},
    Translation{"Body is empty: a JSON object is required",
                "El cuerpo está vacío: se requiere un objeto JSON"},
    Translation{"Body is not valid JSON: duplicate key {}",
                "El cuerpo no es JSON válido: clave repetida {}"},
    Translation{"Body is not valid JSON: nested deeper than {}",
                "El cuerpo no es JSON válido: anidado a más de {}"},
    Translation{"Body is not valid JSON: {} at byte {}",
                "El cuerpo no es JSON válido: {} en el byte {}"},
    Translation{"Not Found: the admin listener serves {}",
                "No encontrado: el puerto de administración sirve {}"},
    // Sign-in and tokens.
    Translation{"Not authenticated", "No autenticado"},
    Translation{"Authorization header must be 'Bearer <token>'",
                "La cabecera Authorization debe ser 'Bearer <token>'"},
    Translation{"Malformed token", "Token mal formado"},
    Translation{"Unsupported token algorithm", "Algoritmo de token no admitido"},
    Translation{"Invalid token signature", "Firma de token no válida"},
    Translation{"Invalid token", "Token no válido"},
    Translation{"Token expired", "El token expiró"},
    Translation{"Token not yet valid", "El token aún no es válido"},
    Translation{"Token lacks required claims", "Al token le faltan datos obligatorios"},
    Translation{"User is disabled or no longer exists",
                "El usuario está deshabilitado o ya no existe"},
    Translation{"Token revoked: the user's password, role or access changed since it was "
                "issued; sign in again",
                "Token revocado: la contraseña, el rol o el acceso del usuario cambiaron desde "
                "que se emitió; inicia sesión de nuevo"},
    Translation{"Role '{}' may not register orders", "El rol '{}' no puede registrar pedidos"},
    Translation{"Role '{}' may not read orders and metrics",
                "El rol '{}' no puede leer pedidos ni métricas"},
    Translation{"Role '{}' may not manage users", "El rol '{}' no puede administrar usuarios"},
    Translation{"Role '{}' may not do this", "El rol '{}' no puede hacer esto"},
    Translation{"Incorrect username or password", "Usuario o contraseña incorrectos"},
    Translation{"Too many failed logins; try again in {} seconds",
                "Demasiados inicios de sesión fallidos; inténtalo de nuevo en {} segundos"},
    // Sessions that keep a screen signed in.
    Translation{"Invalid refresh token: not one this server issued",
                "Token de renovación no válido: no lo emitió este servidor"},
    Translation{"Session ended or revoked; sign in again",
                "La sesión terminó o fue revocada; inicia sesión de nuevo"},
    Translation{"Session revoked: the user's password, role or access changed since signing in; "
                "sign in again",
                "Sesión revocada: la contraseña, el rol o el acceso del usuario cambiaron desde "
                "que inició sesión; inicia sesión de nuevo"},
    Translation{"Refresh token already used: the session is revoked for safety; sign in again",
                "El token de renovación ya se usó: por seguridad la sesión quedó revocada; inicia "
                "sesión de nuevo"},
    Translation{"Sessions are not kept on this server", "Este servidor no guarda sesiones"},
    Translation{"No active session with this id", "No hay ninguna sesión activa con este id"},
    Translation{"must be a username (1-64 of A-Z a-z 0-9 . _ @ -)",
                "debe ser un nombre de usuario (1 a 64 de A-Z a-z 0-9 . _ @ -)"},
    // Webhooks.
    Translation{"This store does not keep webhooks yet",
                "Este almacén de datos aún no guarda webhooks"},
    Translation{"No webhook endpoint {}", "No hay ningún webhook {}"},
    Translation{"No parked delivery {} for endpoint {}",
                "No hay ninguna entrega aparcada {} del webhook {}"},
    Translation{"At most {} webhook endpoints can be registered",
                "Se pueden registrar como máximo {} webhooks"},
    Translation{"is not a field of a webhook endpoint", "no es un campo de un webhook"},
    Translation{"must be a valid URL: {msg}", "debe ser una URL válida: {msg}"},
    Translation{"must be a non-empty list of: {}", "debe ser una lista no vacía de: {}"},
    Translation{"a list of event types is required", "se requiere una lista de tipos de evento"},
    Translation{"must be an absolute URL such as https://example.com/webhooks",
                "debe ser una URL absoluta como https://example.com/webhooks"},
    Translation{"must start with https://", "debe empezar por https://"},
    Translation{"must not carry a user name or password", "no debe llevar usuario ni contraseña"},
    Translation{"must not have a fragment (#...)", "no debe tener fragmento (#...)"},
    Translation{"must name a host", "debe nombrar un host"},
    Translation{"must not point at a loopback, link-local or private address",
                "no debe apuntar a una dirección de loopback, de enlace local o privada"},
    Translation{"must have a port from 1 to 65535", "debe tener un puerto de 1 a 65535"},
    // Limits and a busy server.
    Translation{"Too many requests for this user: at most {} a second, in bursts of {}; retry in "
                "{} seconds",
                "Demasiadas solicitudes de este usuario: máximo {} por segundo, en ráfagas de {}; "
                "reintenta en {} segundos"},
    Translation{"Too many requests from your address: at most {} a second, in bursts of {}; "
                "retry in {} seconds",
                "Demasiadas solicitudes desde tu dirección: máximo {} por segundo, en ráfagas de "
                "{}; reintenta en {} segundos"},
    Translation{"The server is busy; try again shortly",
                "El servidor está ocupado; inténtalo de nuevo en un momento"},
    Translation{"The store is unavailable, try again shortly",
                "El almacén de datos no está disponible; inténtalo de nuevo en un momento"},
    Translation{"The store is not answering", "El almacén de datos no responde"},
    Translation{"The order was not stored: the store is unavailable, retry with the same "
                "pedido_id",
                "El pedido no se guardó: el almacén de datos no está disponible; reintenta con "
                "el mismo pedido_id"},
    Translation{"The report could not be written, try again shortly",
                "No se pudo generar el informe; inténtalo de nuevo en un momento"},
    Translation{"The workbook could not be written, try again shortly",
                "No se pudo generar el libro; inténtalo de nuevo en un momento"},
    Translation{"The answer is larger than Lambda's response limit ({}",
                "La respuesta supera el límite de respuesta de Lambda ({}"},
    Translation{"The answer could not be completed within Lambda's response limit and deadline",
                "La respuesta no cupo en el límite de tamaño y tiempo de Lambda"},
    // Orders.
    Translation{"Pedido {} was already registered with different content; nothing was changed",
                "El pedido {} ya estaba registrado con otro contenido; no se cambió nada"},
    Translation{"Pedido {} not found", "No se encontró el pedido {}"},
    Translation{"cursor is not one this server issued; use next_cursor as given",
                "cursor no es uno que haya emitido este servidor; usa next_cursor tal como llegó"},
    Translation{"limit must be an integer from 1 to {}", "limit debe ser un entero de 1 a {}"},
    Translation{"repartidor must be an IdRepartidor of 1 to {} characters",
                "repartidor debe ser un IdRepartidor de 1 a {} caracteres"},
    Translation{"{} must be a timestamp like 2024-09-12T03:50:58 or 2024-09-12 03:50:58, "
                "optionally with Z or an offset",
                "{} debe ser una fecha y hora como 2024-09-12T03:50:58 o 2024-09-12 03:50:58, "
                "opcionalmente con Z o un desfase horario"},
    Translation{"{} must be 1 to {} bytes", "{} debe tener de 1 a {} bytes"},
    Translation{"{} must be an integer from {} to {}", "{} debe ser un entero de {} a {}"},
    Translation{"fecha is required: the business day to download, YYYY-MM-DD",
                "fecha es obligatoria: el día hábil a descargar, AAAA-MM-DD"},
    Translation{"fecha must be a date YYYY-MM-DD", "fecha debe ser una fecha AAAA-MM-DD"},
    Translation{"formato must be csv or hoja", "formato debe ser csv u hoja"},
    Translation{"the day has more product lines than a workbook holds ({}): download it as "
                "/pedidos.csv",
                "el día tiene más líneas de productos de las que caben en un libro ({}): "
                "descárgalo como /pedidos.csv"},
    Translation{"desde and hasta must be dates YYYY-MM-DD",
                "desde y hasta deben ser fechas AAAA-MM-DD"},
    Translation{"desde must not be after hasta", "desde no debe ser posterior a hasta"},
    Translation{"a range holds at most {} days", "un rango abarca como máximo {} días"},
    // The live stream.
    Translation{"No live stream on this server", "Este servidor no tiene transmisión en vivo"},
    Translation{"Last-Event-ID must be the id of an event this server sent",
                "Last-Event-ID debe ser el id de un evento que envió este servidor"},
    Translation{"Too many open streams for this user or address; close one (another tab or "
                "screen) or try again later",
                "Demasiadas transmisiones abiertas para este usuario o dirección; cierra una "
                "(otra pestaña o pantalla) o inténtalo más tarde"},
    Translation{"The live stream cannot start now; try again",
                "La transmisión en vivo no puede empezar ahora; inténtalo de nuevo"},
    Translation{"The live stream is not open", "La transmisión en vivo no está abierta"},
    Translation{"The live stream needs response streaming on this front door",
                "La transmisión en vivo necesita respuestas en streaming en esta entrada"},
    // Users.
    Translation{"User {} not found", "No se encontró el usuario {}"},
    Translation{"User {} already exists", "El usuario {} ya existe"},
    Translation{"User {} was not changed", "El usuario {} no se cambió"},
    Translation{"This would leave no enabled admin; nothing was changed",
                "Esto dejaría sin ningún administrador habilitado; no se cambió nada"},
    // The rules of a 422's fields.
    Translation{"field required", "campo obligatorio"},
    Translation{"a string is required", "se requiere un texto"},
    Translation{"must be a string", "debe ser un texto"},
    Translation{"must be a JSON object", "debe ser un objeto JSON"},
    Translation{"must be a JSON object, not {kind}", "debe ser un objeto JSON, no {kind}"},
    Translation{"must be an object, not {kind}", "debe ser un objeto, no {kind}"},
    Translation{"must be {kind}, not {kind}", "debe ser {kind}, no {kind}"},
    Translation{"must be true or false", "debe ser true o false"},
    Translation{"must not be empty", "no debe estar vacío"},
    Translation{"must not be blank", "no debe estar en blanco"},
    Translation{"must not contain control characters", "no debe contener caracteres de control"},
    Translation{"must be at most {} characters", "debe tener como máximo {} caracteres"},
    Translation{"must be at least {} characters", "debe tener al menos {} caracteres"},
    Translation{"must be at most {} bytes", "debe tener como máximo {} bytes"},
    Translation{"must be a non-negative integer or a string",
                "debe ser un entero no negativo o un texto"},
    Translation{"must be an integer from 1 to {}", "debe ser un entero de 1 a {}"},
    Translation{"must contain at least one product", "debe contener al menos un producto"},
    Translation{"must contain at most {} products", "debe contener como máximo {} productos"},
    Translation{"must be a number >= 0 with at most 2 decimals, not above {}",
                "debe ser un número >= 0 con máximo 2 decimales, no mayor que {}"},
    Translation{"must not be negative", "no debe ser negativo"},
    Translation{"must have at most 2 decimals", "debe tener como máximo 2 decimales"},
    Translation{"must not be above {}", "no debe ser mayor que {}"},
    Translation{"order total must not be above {}", "el total del pedido no debe ser mayor que {}"},
    Translation{"must not be more than 24 hours in the future",
                "no debe estar más de 24 horas en el futuro"},
    Translation{"must be a string like \"2024-09-12 03:50:58.363972\" or ISO 8601",
                "debe ser un texto como \"2024-09-12 03:50:58.363972\" o ISO 8601"},
    Translation{"must be \"YYYY-MM-DD HH:MM:SS[.ffffff]\" or ISO 8601 (optionally with Z or "
                "+HH:MM), with a valid date and time from year 1970{}",
                "debe ser \"AAAA-MM-DD HH:MM:SS[.ffffff]\" o ISO 8601 (opcionalmente con Z o "
                "+HH:MM), con una fecha y hora válidas desde el año 1970{}"},
    Translation{"must be 1 to 64 of A-Z a-z 0-9 . _ @ -",
                "debe tener de 1 a 64 caracteres entre A-Z a-z 0-9 . _ @ -"},
    Translation{"must be one of admin, viewer, courier", "debe ser uno de admin, viewer, courier"},
};

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kKinds{{
    {"null", "null"},
    {"a boolean", "un booleano"},
    {"a number", "un número"},
    {"a string", "un texto"},
    {"an array", "una lista"},
    {"an object", "un objeto"},
}};

std::optional<std::string_view> kind_in_spanish(std::string_view kind) {
  for (const auto& [english, spanish] : kKinds) {
    if (english == kind) return spanish;
  }
  return std::nullopt;
}

enum class HoleKind { text, kind, message };

struct Hole {
  std::string_view text;
  HoleKind what = HoleKind::text;
};

// The hole `pattern` starts with, and its length; nullopt when none does.
std::optional<std::pair<HoleKind, std::size_t>> hole_at(std::string_view pattern) {
  if (pattern.starts_with("{}")) return std::pair{HoleKind::text, std::size_t{2}};
  if (pattern.starts_with("{kind}")) return std::pair{HoleKind::kind, std::size_t{6}};
  if (pattern.starts_with("{msg}")) return std::pair{HoleKind::message, std::size_t{5}};
  return std::nullopt;
}

// The holes of `pattern` filled in `message`, or nullopt when it does not
// match. A hole takes the shortest text after which the rest still matches.
std::optional<std::vector<Hole>> match(std::string_view pattern, std::string_view message) {
  std::size_t hole = 0;
  while (hole < pattern.size() && !hole_at(pattern.substr(hole))) ++hole;
  if (hole == pattern.size()) {
    if (pattern == message) return std::vector<Hole>{};
    return std::nullopt;
  }
  if (!message.starts_with(pattern.substr(0, hole))) return std::nullopt;
  const auto [what, length] = *hole_at(pattern.substr(hole));
  const auto rest = pattern.substr(hole + length);
  const auto tail = message.substr(hole);
  for (std::size_t taken = 0; taken <= tail.size(); ++taken) {
    const auto filled = tail.substr(0, taken);
    if (what == HoleKind::kind && !kind_in_spanish(filled)) continue;
    if (auto more = match(rest, tail.substr(taken))) {
      more->insert(more->begin(), Hole{filled, what});
      return more;
    }
  }
  return std::nullopt;
}

std::string fill(std::string_view pattern, const std::vector<Hole>& holes) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t at = 0; at < pattern.size();) {
    const auto hole = hole_at(pattern.substr(at));
    if (hole && next < holes.size()) {
      const auto& filled = holes[next++];
      switch (filled.what) {
        case HoleKind::text:
          out += filled.text;
          break;
        case HoleKind::kind:
          out += *kind_in_spanish(filled.text);
          break;
        case HoleKind::message:
          out += in_spanish(filled.text);
          break;
      }
      at += hole->second;
    } else {
      out += pattern[at++];
    }
  }
  return out;
}

// The weight of a language range's `q` parameter (1 without one).
double weight_of(std::string_view params) {
  const auto q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  double value = 0;
  double scale = 1;
  bool fraction = false;
  for (const char c : params.substr(q + 2)) {
    if (c == '.') {
      fraction = true;
    } else if (c >= '0' && c <= '9') {
      if (fraction) {
        scale /= 10;
        value += (c - '0') * scale;
      } else {
        value = value * 10 + (c - '0');
      }
    } else {
      break;
    }
  }
  return std::min(value, 1.0);
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Language preferred_language(std::string_view accept_language) {
  double spanish = -1;
  double english = -1;
  while (!accept_language.empty()) {
    const auto comma = accept_language.find(',');
    auto item = accept_language.substr(0, comma);
    accept_language = comma == std::string_view::npos ? "" : accept_language.substr(comma + 1);
    const auto semicolon = item.find(';');
    auto range = item.substr(0, semicolon);
    while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
    while (!range.empty() && range.back() == ' ') range.remove_suffix(1);
    const double weight =
        semicolon == std::string_view::npos ? 1.0 : weight_of(item.substr(semicolon + 1));
    const auto language = lowered(range.substr(0, range.find('-')));
    if (language == "es") spanish = std::max(spanish, weight);
    if (language == "en") english = std::max(english, weight);
  }
  return english > 0 && english > spanish ? Language::english : Language::spanish;
}

std::string in_spanish(std::string_view english) {
  for (const auto& entry : kCatalogue) {
    if (const auto holes = match(entry.english, english)) return fill(entry.spanish, *holes);
  }
  return std::string(english);
}

void localize_error(Response& response, Language language) {
  if (response.status < 400 || !response.content_type.starts_with("application/json")) return;
  response.header("Content-Language", language == Language::spanish ? "es" : "en");
  response.header("Vary", "Accept-Language");
  if (language == Language::english) return;
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  if (ec || !body.is_object()) return;
  auto* detail = body.as_object().if_contains("detail");
  if (!detail) return;
  if (detail->is_string()) {
    *detail = in_spanish(detail->as_string());
  } else if (detail->is_array()) {
    for (auto& problem : detail->as_array()) {
      auto* msg = problem.is_object() ? problem.as_object().if_contains("msg") : nullptr;
      if (msg && msg->is_string()) *msg = in_spanish(msg->as_string());
    }
  } else {
    return;
  }
  response.body = boost::json::serialize(body);
}

}  // namespace cargomon::api
