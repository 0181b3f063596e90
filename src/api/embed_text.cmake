# Writes the file IN into OUT as a brace list of C++ raw string literals, each
# under 16 KiB: a single literal over 64 KiB exceeds what compilers must accept
# (clang: -Woverlength-strings), and the OpenAPI document is larger than that.
file(READ "${IN}" content)
string(LENGTH "${content}" length)
set(piece_bytes 16000)
set(out "{\n")
set(offset 0)
while(offset LESS length)
  string(SUBSTRING "${content}" ${offset} ${piece_bytes} piece)
  string(APPEND out "R\"embedded(${piece})embedded\",\n")
  math(EXPR offset "${offset} + ${piece_bytes}")
endwhile()
string(APPEND out "}\n")
file(WRITE "${OUT}" "${out}")
