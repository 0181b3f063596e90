#pragma once
// The language of the API's error messages: Spanish, the users' language,
// unless the client's Accept-Language prefers English.
//
// Handlers write their messages in English, as the code and the logs are;
// the Router turns the `detail` of an error answer (and each `msg` of a 422's
// list) into Spanish on the way out, from one catalogue (language.cpp). The
// field locations and `type` of a 422 never change, so programs that read
// them work in either language. A message the catalogue lacks stays in
// English (the tests list every message the API writes: see
// language_test.cpp).

#include <string>
#include <string_view>

#include "api/exchange.hpp"

namespace cargomon::api {

enum class Language { spanish, english };

// From an Accept-Language header (RFC 9110 §12.5.4): English when an `en`
// range has a higher weight than every `es` range (or `es` is absent and
// `en` present with a weight above 0); Spanish otherwise, and for an absent
// or unreadable header.
Language preferred_language(std::string_view accept_language);

// The Spanish of an English message the API writes; the message itself when
// the catalogue does not know it.
std::string in_spanish(std::string_view english);

// Puts an error answer's messages into `language` and says which it is
// (Content-Language, Vary: Accept-Language). Answers that are not JSON
// errors are left alone.
void localize_error(Response& response, Language language);

}  // namespace cargomon::api
