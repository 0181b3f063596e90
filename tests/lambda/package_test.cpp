// The packaged zip (scripts/package-lambda.sh) runs with nothing from this
// machine: unpacked into an empty directory as Lambda unpacks it
// (/var/task), started by its `bootstrap` in a chroot of that directory
// with a clean environment, it answers the seed's events through the
// stand-in Runtime API (loopback is shared with the chroot).
//
// Besides the zip's files the chroot holds only what provided.al2023
// gives every function and cargomon needs (docs/aws.md):
//   /tmp                                    writable; the SQLite store in /tmp/cargomon
//   /usr/share/zoneinfo/America/Bogota      the business time zone (tzdata)
// No /dev, /proc, /etc, /bin/sh or system libraries.
//
// Needs root (chroot) and CARGOMON_LAMBDA_ZIP naming the zip (scripts/test.sh
// builds it); skipped otherwise, saying so.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "lambda/lambda_function.hpp"

namespace cargomon::testing {
namespace {

namespace fs = std::filesystem;

class LambdaPackage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the package test needs root (chroot)";
    const char* zip = std::getenv("CARGOMON_LAMBDA_ZIP");
    if (zip == nullptr || *zip == '\0') {
      GTEST_SKIP() << "CARGOMON_LAMBDA_ZIP is not set (scripts/test.sh sets it after "
                      "scripts/package-lambda.sh)";
    }
    zip_ = zip;
    ASSERT_TRUE(fs::is_regular_file(zip_)) << zip_;
  }

  // The chroot: the zip in /var/task, an empty /tmp, one zone file.
  static fs::path make_root(const fs::path& scratch, const fs::path& zip) {
    fs::path root = scratch / "root";
    fs::create_directories(root / "var/task");
    fs::create_directories(root / "tmp");
    fs::create_directories(root / "usr/share/zoneinfo/America");
    fs::copy_file("/usr/share/zoneinfo/America/Bogota", root / "usr/share/zoneinfo/America/Bogota");
    const std::string unzip =
        "unzip -q '" + zip.string() + "' -d '" + (root / "var/task").string() + "'";
    EXPECT_EQ(std::system(unzip.c_str()), 0) << unzip;
    return root;
  }

  fs::path zip_;
};

TEST_F(LambdaPackage, TheZipAnswersTheSeedsEventsInAnEmptyChroot) {
  const fs::path zip = zip_;
  LambdaFunction function(
      Env{{"CARGOMON_DATA_DIR", "/tmp/cargomon"}, {"LAMBDA_TASK_ROOT", "/var/task"}},
      [zip](const Env& env, const fs::path& scratch) {
        const fs::path root = make_root(scratch, zip);
        std::vector<std::string> command{"/usr/bin/env", "-i"};
        for (const auto& [name, value] : env) {
          std::string assignment = name;
          assignment += '=';
          assignment += value;
          command.push_back(std::move(assignment));
        }
        command.insert(command.end(), {"/usr/sbin/chroot", root.string(), "/var/task/bootstrap"});
        return command;
      });
  const std::string jwt = function.login();
  ASSERT_FALSE(jwt.empty()) << function.output();

  const auto order =
      function.call(replace_all(seed_event("registrar_pedido_entregado.json"), "<TOKEN>", jwt));
  EXPECT_EQ(order.at("statusCode"), 200) << function.output();
  EXPECT_EQ(body_of(order).at("message"), "Pedido registrado exitosamente");

  const auto listing = function.call(replace_all(seed_event("pedidos.json"), "<TOKEN>", jwt));
  EXPECT_EQ(body_of(listing).at("pedidos").at(0).at("pedido_id"), "12345");

  const auto metrics = function.call(replace_all(seed_event("metrics.json"), "<TOKEN>", jwt));
  EXPECT_EQ(metrics.at("statusCode"), 200);
  EXPECT_EQ(body_of(metrics).at("acumulado_ventas_dia"), 1);
  EXPECT_TRUE(function.process().running()) << function.output();
}

}  // namespace
}  // namespace cargomon::testing
