package dev.chainboot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.CompatServer;
import dev.chainboot.testing.Curl;
import dev.chainboot.testing.Traversal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Zero-OS bootstrap's /ipxe/<runmode>/... scripts and /kernel/ files, with curl. */
class ZeroOsCompatTest {

  static CompatServer server;
  static Path kernels;

  @BeforeAll
  static void start() throws Exception {
    server = new CompatServer();
    kernels = server.data.resolve("kernels");
    Files.writeString(kernels.resolve("zero-os-v3.efi"), "KERNEL-V3");
    Files.writeString(kernels.resolve("zero-os-v2.efi"), "KERNEL-V2");
    Files.createSymbolicLink(kernels.resolve("net/prod.efi"), Path.of("../zero-os-v3.efi"));
    Files.createSymbolicLink(kernels.resolve("net/test.efi"), Path.of("../zero-os-v2.efi"));
    Files.writeString(kernels.resolve("net/dev.efi"), "KERNEL-DEV");
    Files.writeString(server.base.resolve("secret.txt"), "TOPSECRET\n");
    Files.createSymbolicLink(kernels.resolve("escape"), server.base.resolve("secret.txt"));
    server.start(Optional.empty(), Optional.empty());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The script's lines that are commands (not labels), reduced to their command word. */
  static List<String> commands(String script) {
    return Arrays.stream(script.split("\n"))
        .filter(l -> !l.startsWith(":") && !l.startsWith("#!"))
        .map(l -> l.split(" ")[0])
        .toList();
  }

  @Test
  void defaultKernelIsTheSymlinkTarget() throws Exception {
    Curl.Result r = Curl.run(server.url("/ipxe/prod"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("text/plain");
    assertThat(r.text())
        .startsWith("#!ipxe\n")
        .contains(
            "imgfetch --name zos-kernel "
                + base()
                + "/kernel/zero-os-v3.efi nomodeset version=v3 runmode=prod panic=7200"
                + " && goto zos_boot ||\n")
        .contains("imgexec zos-kernel")
        .contains("dhcp")
        .contains("Production");
    Curl.Result kernel = Curl.run(base() + "/kernel/zero-os-v3.efi");
    assertThat(kernel.text()).isEqualTo("KERNEL-V3");
    assertThat(Curl.run(base() + "/kernel/net/prod.efi").text()).isEqualTo("KERNEL-V3");
    // A regular file as the runmode's kernel keeps its net/ name.
    assertThat(Curl.run(server.url("/ipxe/dev")).text())
        .contains("/kernel/net/dev.efi nomodeset version=v3 runmode=dev panic=7200 &&");
  }

  @Test
  void farmerExtraAndKernelOverride() throws Exception {
    String s = Curl.run(server.url("/ipxe/test/1234/console=ttyS0___dev%20debug")).text();
    assertThat(server.events)
        .anySatisfy(
            e -> {
              assertThat(e.protocol()).isEqualTo("zeroos");
              assertThat(e.reason())
                  .isEqualTo(
                      "zeroos nomodeset version=v3 runmode=test panic=7200 farmer_id=1234"
                          + " console=ttyS0/dev debug");
            });
    assertThat(s)
        .contains(
            "/kernel/zero-os-v2.efi nomodeset version=v3 runmode=test panic=7200 farmer_id=1234"
                + " console=ttyS0/dev debug &&");
    String k = Curl.run(server.url("/ipxe/prod/77/quiet/zero-os-v2.efi")).text();
    assertThat(k)
        .contains(
            "/kernel/zero-os-v2.efi nomodeset version=v3 runmode=prod panic=7200 farmer_id=77"
                + " quiet &&");
    assertThat(commands(s)).isEqualTo(commands(Curl.run(server.url("/ipxe/prod")).text()));
  }

  @Test
  void clearErrors() throws Exception {
    Curl.Result unknown = Curl.run(server.url("/ipxe/staging"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text())
        .contains("'staging' is not a Zero-OS runmode")
        .contains("prod, test, dev, qa");
    Curl.Result farmer = Curl.run(server.url("/ipxe/prod/12ab"));
    assertThat(farmer.status()).isEqualTo(400);
    assertThat(farmer.text()).contains("farmer id must be a number");
    Curl.Result noKernel = Curl.run(server.url("/ipxe/qa"));
    assertThat(noKernel.status()).isEqualTo(404);
    assertThat(noKernel.text()).contains("no kernel for runmode 'qa'");
    Curl.Result missing = Curl.run(server.url("/ipxe/prod/1/quiet/zero-os-v9.efi"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.text()).contains("no kernel 'zero-os-v9.efi'");
  }

  @Test
  void hostileValuesNeverAddCommands() throws Exception {
    String[] hostile = {
      "/ipxe/prod/1%0Ashell",
      "/ipxe/prod/1;reboot",
      "/ipxe/prod/1%20&&%20shell",
      "/ipxe/prod/$%7Bx%7D",
      "/ipxe/prod/1/a%0Ashell",
      "/ipxe/prod/1/a%0D%0Ashell",
      "/ipxe/prod/1/x%20%26%26%20shell",
      "/ipxe/prod/1/x%20%7C%7C%20shell",
      "/ipxe/prod/1/x;shell",
      "/ipxe/prod/1/$%7Bnet0/mac%7D",
      "/ipxe/prod/1/a'b",
      "/ipxe/prod/1/a%22b",
      "/ipxe/prod/1/a%09shell",
      "/ipxe/prod/1/a%23b",
      "/ipxe/prod/1/a%5Cnshell",
      "/ipxe/prod/1/ok/..",
      "/ipxe/prod/1/ok/k%0Ashell",
      "/ipxe/prod/1/ok/$%7Bx%7D",
      "/ipxe/prod/1/ok/..%2f..%2fsecret.txt",
      "/ipxe/prod/1/ok/escape",
      "/ipxe/prod%0Ashell",
      "/ipxe/prod/1/ok/.hidden",
    };
    for (String h : hostile) {
      Curl.Result r = Curl.run("--path-as-is", server.url(h));
      assertThat(r.status()).as(h).isIn(400, 404);
      assertThat(r.text()).as(h).doesNotStartWith("#!ipxe").doesNotContain("TOPSECRET");
    }
  }

  @Test
  void kernelDirectoryIsTraversalSafe() throws Exception {
    Traversal.assertRefused(server, "/kernel/");
  }

  @Test
  void runmodesComeFromTheConfigFile() throws Exception {
    try (CompatServer own = new CompatServer()) {
      Files.writeString(
          own.data.resolve("chainboot.yaml"),
          "zeroos:\n"
              + "  cmdline: nomodeset version=v3 runmode={runmode} panic=600\n"
              + "  runmodes:\n"
              + "    edge: Edge network\n"
              + "    prod:\n"
              + "      name: Production\n"
              + "      cmdline: quiet runmode={runmode} console=ttyS0,115200\n");
      Files.writeString(own.data.resolve("kernels/k1.efi"), "K1");
      Files.createSymbolicLink(own.data.resolve("kernels/net/edge.efi"), Path.of("../k1.efi"));
      Files.createSymbolicLink(own.data.resolve("kernels/net/prod.efi"), Path.of("../k1.efi"));
      own.start(Optional.empty(), Optional.empty());
      Curl.Result edge = Curl.run(own.url("/ipxe/edge/5"));
      assertThat(edge.status()).isEqualTo(200);
      assertThat(edge.text())
          .contains("Edge network")
          .contains("/kernel/k1.efi nomodeset version=v3 runmode=edge panic=600 farmer_id=5 &&");
      assertThat(Curl.run(own.url("/ipxe/prod/7")).text())
          .contains("Production")
          .contains("/kernel/k1.efi quiet runmode=prod console=ttyS0,115200 farmer_id=7 &&");
      Curl.Result test = Curl.run(own.url("/ipxe/test"));
      assertThat(test.status()).isEqualTo(404);
      assertThat(test.text()).contains("configured: edge, prod");
    }
  }
}
