package dev.chainboot.compat.zeroos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZeroOsRequestTest {

  static final Set<String> MODES = Set.of("prod", "test", "dev", "qa");

  @Test
  void grammar() {
    assertThat(ZeroOsRequest.parse("prod", MODES))
        .isEqualTo(new ZeroOsRequest("prod", Optional.empty(), List.of(), Optional.empty()));
    assertThat(ZeroOsRequest.parse("test/1234/", MODES).farmerId()).contains("1234");
    ZeroOsRequest full = ZeroOsRequest.parse("dev/5550/console=ttyS0 debug___x/zos-v2.efi", MODES);
    assertThat(full.extraArgs()).containsExactly("console=ttyS0", "debug/x");
    assertThat(full.kernel()).contains("zos-v2.efi");
    // The seed's fixed arguments first, as its ipxe_script() built them.
    assertThat(full.kernelCommandLine())
        .isEqualTo(
            "nomodeset version=v3 runmode=dev panic=7200 farmer_id=5550 console=ttyS0 debug/x");
    assertThat(full.kernelCommandLine("nomodeset runmode={runmode}"))
        .isEqualTo("nomodeset runmode=dev farmer_id=5550 console=ttyS0 debug/x");
  }

  @Test
  void refusals() {
    assertStatus("nope", 404, "unknown runmode 'nope'");
    assertStatus("prod/1/2/3/4", 404, "too many");
    assertStatus("prod/12a", 400, "farmer id");
    assertStatus("prod/", 0, null);
    assertStatus("prod//x", 400, "farmer id");
    assertStatus("prod/1/a\nshell", 400, "extra");
    assertStatus("prod/1/${x}", 400, "unsafe extra");
    assertStatus("prod/1/a;reboot", 400, "unsafe extra");
    assertStatus("prod/1/a&&b", 400, "unsafe extra");
    assertStatus("prod/1/a'b", 400, "extra");
    assertStatus("prod/1/ok/..", 400, "kernel");
    assertStatus("prod/1/ok/.hidden", 400, "kernel");
    assertStatus("prod/1/ok/a b", 400, "kernel");
  }

  private static void assertStatus(String path, int status, String message) {
    if (status == 0) {
      assertThat(ZeroOsRequest.parse(path, MODES).runmode()).isEqualTo("prod");
      return;
    }
    assertThatThrownBy(() -> ZeroOsRequest.parse(path, MODES))
        .isInstanceOfSatisfying(
            ZeroOsRequest.Invalid.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.getMessage()).contains(message).doesNotContain("\n");
            });
  }
}
