# Turns the numbered migrations (NNN_name.sql) into C++ initializers
# {NNN, R"sql(...)sql"}, so the binary carries its schema.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(out "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  math(EXPR version "${version}")
  file(READ "${f}" sql)
  string(APPEND out "{${version}, R\"sql(${sql})sql\"},\n")
endforeach()
file(WRITE "${OUT}" "${out}")
