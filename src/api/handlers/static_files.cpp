// GET / and the dashboard's files, from the built web directory.

#include <fstream>
#include <sstream>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {
namespace {

namespace fs = std::filesystem;

// The dashboard loads only its own scripts, styles and API: nothing inline,
// nothing from elsewhere, never inside a frame.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'";

std::string content_type_of(const fs::path& path) {
  const auto ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

Response not_found() { return error_response(ApiError::not_found, "Not Found"); }

}  // namespace

Response get_static(const Services& s, const std::string& path) {
  const auto& root = s.settings.web_dir;
  if (root.empty()) return not_found();
  // Segments arrive percent-decoded: refuse anything that could climb out of
  // the web directory or reach hidden files, before touching the filesystem.
  fs::path relative;
  std::istringstream segments(path);
  std::string segment;
  while (std::getline(segments, segment, '/')) {
    if (segment.empty()) continue;
    if (segment.front() == '.' || segment.find('\\') != std::string::npos ||
        segment.find('\0') != std::string::npos) {
      return not_found();
    }
    relative /= segment;
  }
  if (relative.empty()) relative = "index.html";
  // The interactive API docs (web/docs.html, Swagger UI), where FastAPI served
  // the original's.
  if (relative == "docs") relative = "docs.html";
  std::error_code ec;
  const auto base = fs::canonical(root, ec);
  if (ec) return not_found();
  auto file = fs::weakly_canonical(base / relative, ec);
  if (ec || !file.string().starts_with(base.string() + "/") || !fs::is_regular_file(file, ec)) {
    return not_found();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream content;
  content << in.rdbuf();

  Response response;
  response.content_type = content_type_of(file);
  response.body = content.str();
  if (relative.begin() != relative.end() && *relative.begin() == "assets") {
    // Vite puts a content hash in every asset name: safe to cache for ever.
    response.header("Cache-Control", "public, max-age=31536000, immutable");
  } else {
    response.header("Cache-Control", "no-cache");
  }
  if (response.content_type.starts_with("text/html")) {
    response.header("Content-Security-Policy", kContentSecurityPolicy);
    response.header("X-Frame-Options", "DENY");
  }
  return response;
}

}  // namespace cargomon::api
