package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.InMemoryStore;
import dev.chainboot.testing.ParsedScript;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a script leaves for the firmware's next boot device, by default and with a group's {@code
 * efi-exit} and {@code bios-local}: an EFI application that exits with success drops Dell and
 * Lenovo machines into setup (netboot.xyz #1276), so UEFI leaves with a failure status unless the
 * group says otherwise; BIOS boots the first disk with {@code sanboot} unless the group says {@code
 * exit}. Through the core (the group's settings reach the renderer) and the renderer's "nothing to
 * boot" script.
 */
class FirmwareQuirksScriptTest {

  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56").orElseThrow();
  static final String BASE = "http://10.0.0.1:8080";

  final InMemoryStore store = new InMemoryStore();
  final BootCore core =
      new BootCore(
          store, e -> {}, Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC));

  /** The local-disk script MAC gets through a group with these firmware settings. */
  List<List<String>> localDiskThroughGroup(String firmware) {
    store.putMachine(Machine.of(MAC));
    store.putProfile(Profile.localDisk("disk"));
    store.putGroup(
        new Group(
            "rack",
            "disk",
            Map.of(),
            Optional.empty(),
            Optional.of("52:54:00"),
            firmware.isEmpty() ? FirmwareSettings.NONE : FirmwareSettings.parse(firmware)));
    BootAnswer a =
        core.resolve(
            new BootRequest(
                Optional.of(MAC),
                BootCoreTest.ip("10.0.0.50"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                BootRequest.Protocol.HTTP),
            BASE);
    return words(a.text());
  }

  static List<List<String>> words(String script) {
    return new ParsedScript(script).commands.stream().map(ParsedScript.Command::words).toList();
  }

  static final List<String> IF_EFI = List.of("iseq", "${platform}", "efi");
  static final List<String> SANBOOT = List.of("sanboot", "--no-describe", "--drive", "0x80");

  static List<String> leave(int status) {
    return List.of("set", "chainboot-leave", Integer.toString(status));
  }

  static List<String> exit(int status) {
    return List.of("exit", Integer.toString(status));
  }

  @Test
  void localDiskByDefaultLeavesUefiWithAFailureAndSanbootsOnBios() {
    List<List<String>> s = localDiskThroughGroup("");
    assertThat(s).containsSubsequence(IF_EFI, leave(1), exit(1), SANBOOT, leave(0), exit(0));
    assertThat(s).doesNotContainSubsequence(IF_EFI, leave(0), exit(0), SANBOOT);
  }

  @Test
  void localDiskWithEfiExitSuccessLeavesUefiWithZero() {
    List<List<String>> s = localDiskThroughGroup("efi-exit=success");
    assertThat(s).containsSubsequence(IF_EFI, leave(0), exit(0), SANBOOT, leave(0), exit(0));
    // (exit 1 is left only after the "chainboot_failed" label, when sanboot fails)
    assertThat(s).doesNotContainSubsequence(IF_EFI, leave(1), exit(1), SANBOOT);
  }

  @Test
  void localDiskWithBiosLocalExitReturnsToTheBiosInsteadOfSanboot() {
    List<List<String>> s = localDiskThroughGroup("bios-local=exit");
    assertThat(s).doesNotContain(SANBOOT);
    assertThat(s).containsSubsequence(IF_EFI, leave(1), exit(1), leave(0), exit(0));
  }

  @Test
  void nothingToBootLeavesUefiWithAFailureByDefaultAndWithZeroWhenEfiExitSaysSuccess() {
    assertThat(words(ScriptRenderer.nothing("m", FirmwareSettings.NONE)))
        .containsSubsequence(IF_EFI, leave(1), exit(1), leave(0), exit(0))
        .doesNotContain(SANBOOT);
    assertThat(words(ScriptRenderer.nothing("m", FirmwareSettings.parse("efi-exit=success"))))
        .containsSubsequence(IF_EFI, leave(0), exit(0), leave(0), exit(0))
        .doesNotContain(exit(1));
    // through the core: a machine nothing is configured for
    BootAnswer a =
        core.resolve(
            new BootRequest(
                Optional.of(MAC),
                BootCoreTest.ip("10.0.0.50"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                BootRequest.Protocol.HTTP),
            BASE);
    assertThat(words(a.text())).containsSubsequence(IF_EFI, leave(1), exit(1), leave(0), exit(0));
  }
}
