package dev.chainboot.compat.zeroos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel directory on a real file system: limits, names, links and what a boot then sees. */
class ZeroOsKernelsTest {

  @TempDir Path root;

  Map<String, String> modes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("prod", "Production");
    m.put("test", "Testnet");
    return m;
  }

  ZeroOsKernels kernels(long max) {
    return new ZeroOsKernels(root, this::modes, max);
  }

  static ByteArrayInputStream bytes(int n) {
    return new ByteArrayInputStream(new byte[n]);
  }

  List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void tooLargeIsRefusedAndLeavesNothing() throws Exception {
    ZeroOsKernels k = kernels(1000);
    assertThatThrownBy(() -> k.upload("zero-os-a.efi", bytes(1001), -1))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(413));
    assertThatThrownBy(() -> k.upload("zero-os-a.efi", bytes(10), 5000))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(413));
    assertThatThrownBy(() -> k.upload("zero-os-a.efi", bytes(0), -1))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThat(files()).isEmpty();
    assertThat(k.upload("zero-os-a.efi", bytes(1000), 1000).kernel().size()).isEqualTo(1000);
    assertThat(files()).containsExactly("zero-os-a.efi");
  }

  @Test
  void namesArePlainFileNames() {
    for (String bad :
        List.of(
            "",
            ".x.efi",
            "../x.efi",
            "net/prod.efi",
            "a b.efi",
            "x\n.efi",
            "/etc/passwd",
            "a\\b")) {
      assertThatThrownBy(() -> ZeroOsKernels.checkName(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(400));
    }
    assertThat(ZeroOsKernels.checkName("zero-os-development-amd64.efi"))
        .isEqualTo("zero-os-development-amd64.efi");
  }

  @Test
  void switchReplacesAPlainFileOrALinkAndTheBootFollows() throws Exception {
    ZeroOsKernels k = kernels(1 << 20);
    k.upload("zero-os-v1.efi", bytes(10), -1);
    k.upload("zero-os-v2.efi", bytes(20), -1);
    Files.createDirectories(root.resolve("net"));
    Files.write(root.resolve("net/prod.efi"), new byte[3]); // the seed's plain file
    assertThat(k.runmodes().get(0).kernel()).contains("net/prod.efi");
    assertThat(k.runmodes().get(0).link()).isFalse();

    assertThat(k.switchTo("prod", "zero-os-v1.efi")).contains("net/prod.efi");
    assertThat(k.runmodes().get(0))
        .isEqualTo(
            new ZeroOsKernels.Runmode("prod", "Production", Optional.of("zero-os-v1.efi"), true));
    ZeroOsBoot boot = new ZeroOsBoot(modes(), root);
    ZeroOsRequest req = ZeroOsRequest.parse("prod", modes().keySet());
    assertThat(boot.kernelFile(req)).isEqualTo("zero-os-v1.efi");

    assertThat(k.switchTo("prod", "zero-os-v2.efi")).contains("zero-os-v1.efi");
    assertThat(boot.kernelFile(req)).isEqualTo("zero-os-v2.efi");
    try (Stream<Path> s = Files.list(root.resolve("net"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("prod.efi");
    }
    assertThat(k.kernel("zero-os-v2.efi").runmodes()).containsExactly("prod");
    assertThat(k.runmodes().get(1).kernel()).isEmpty();

    assertThatThrownBy(() -> k.delete("zero-os-v2.efi"))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(409));
    k.delete("zero-os-v1.efi");
    assertThat(files()).containsExactly("net", "zero-os-v2.efi");
    assertThatThrownBy(() -> k.switchTo("nosuch", "zero-os-v2.efi"))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> k.switchTo("test", "zero-os-v1.efi"))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void aKernelLinkedFromOutsideIsNotListedOrSwitchedTo() throws Exception {
    Path outside = Files.createTempFile("outside", ".efi");
    try {
      Files.createSymbolicLink(root.resolve("zero-os-evil.efi"), outside);
      ZeroOsKernels k = kernels(1 << 20);
      assertThat(k.kernels()).isEmpty();
      assertThatThrownBy(() -> k.switchTo("prod", "zero-os-evil.efi"))
          .isInstanceOfSatisfying(
              ZeroOsRequest.Invalid.class, e -> assertThat(e.status()).isEqualTo(404));
    } finally {
      Files.deleteIfExists(outside);
    }
  }
}
