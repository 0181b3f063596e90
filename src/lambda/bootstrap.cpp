// The packaged function's `bootstrap`: what Lambda executes in
// provided.al2023. It is linked statically (no dynamic loader, no glibc of
// the host's), and all it does is exec the cargomon binary shipped beside
// it through the dynamic loader and libraries shipped with it (lib/, from
// the build machine: Debian 12's glibc is newer than Amazon Linux 2023's,
// so the system's own would not do):
//
//   $LAMBDA_TASK_ROOT/lib/ld-linux-x86-64.so.2
//       --library-path $LAMBDA_TASK_ROOT/lib $LAMBDA_TASK_ROOT/cargomon lambda
//
// A static executable rather than a shell script, so the package needs no
// /bin/sh either: it runs in a chroot holding only the zip's files.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// LAMBDA_TASK_ROOT (/var/task on Lambda), or the directory of argv[0].
std::string task_root(const char* argv0) {
  const char* root = std::getenv("LAMBDA_TASK_ROOT");
  if (root != nullptr && *root != '\0') return root;
  const std::string self = argv0 != nullptr ? argv0 : "";
  const auto slash = self.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : self.substr(0, slash);
}

}  // namespace

int main(int /*argc*/, char** argv) {
  std::string root = task_root(argv[0]);
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  const std::string prefix = root == "/" ? "" : root;
  std::string loader = prefix + "/lib/ld-linux-x86-64.so.2";
  std::string library_path = prefix + "/lib";
  std::string program = prefix + "/cargomon";
  std::string option = "--library-path";
  std::string command = "lambda";
  char* args[] = {loader.data(),  option.data(),  library_path.data(),
                  program.data(), command.data(), nullptr};
  ::execv(loader.c_str(), args);
  std::fprintf(stderr, "bootstrap: cannot execute %s: %s\n", loader.c_str(), std::strerror(errno));
  return 127;
}
