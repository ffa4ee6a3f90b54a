package dev.chainboot.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A QEMU machine (software emulation) on a tap device of a {@link Lan}, booting from the network
 * with real firmware: SeaBIOS with its iPXE NIC ROM, OVMF (x86_64 UEFI), OVMF with Secure Boot and
 * Microsoft's keys enrolled, or AAVMF (arm64 UEFI). Memory is kept small; every wait is bounded;
 * {@link #close()} kills the emulator.
 */
public final class Guest implements AutoCloseable {

  /** The firmware a guest runs. */
  public enum Firmware {
    /** SeaBIOS; the e1000's option ROM is (Debian's QEMU build of) iPXE. */
    BIOS,
    /** x86_64 UEFI (OVMF), NIC driven by the firmware (no option ROM). */
    OVMF,
    /** OVMF with Secure Boot enabled and Microsoft's keys enrolled (the .ms.fd pair). */
    OVMF_SECURE_BOOT,
    /** arm64 UEFI (AAVMF) on QEMU's virt machine. */
    AAVMF
  }

  /** How the UEFI firmware boots from the network. */
  public enum Net {
    /** PXE over IPv4 (TFTP). */
    PXE,
    /** UEFI HTTP boot only: PXE switched off with fw_cfg, so the firmware goes straight to HTTP. */
    HTTP
  }

  private final Process process;
  private final Path serial;
  private final Path output;
  private final String name;

  private Guest(String name, Process process, Path serial, Path output) {
    this.name = name;
    this.process = process;
    this.serial = serial;
    this.output = output;
  }

  /**
   * Boots a guest in the LAN's server namespace on a new tap device {@code name} (at most 15
   * characters).
   *
   * @param dir where the serial log, QEMU's output and the firmware variables go
   */
  public static Guest boot(Lan lan, Path dir, String name, Firmware fw, Net net, String mac)
      throws IOException, InterruptedException {
    lan.addTap(name);
    Path serial = dir.resolve(name + ".serial");
    Path out = dir.resolve(name + ".qemu.log");
    List<String> cmd = new ArrayList<>();
    String nic = "virtio-net-pci,netdev=n0,romfile=,bootindex=0,mac=" + mac;
    switch (fw) {
      case BIOS -> {
        cmd.addAll(List.of("qemu-system-x86_64", "-m", "128", "-boot", "n"));
        nic = "e1000,netdev=n0,mac=" + mac;
      }
      case OVMF -> {
        cmd.addAll(List.of("qemu-system-x86_64", "-machine", "q35", "-m", "256"));
        pflash(
            cmd, dir, name, "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd");
      }
      case OVMF_SECURE_BOOT -> {
        cmd.addAll(
            List.of(
                "qemu-system-x86_64",
                "-machine",
                "q35,smm=on",
                "-global",
                "driver=cfi.pflash01,property=secure,value=on",
                "-m",
                "256"));
        pflash(
            cmd,
            dir,
            name,
            "/usr/share/OVMF/OVMF_CODE_4M.ms.fd",
            "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
      }
      case AAVMF -> {
        cmd.addAll(
            List.of("qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a57", "-m", "256"));
        pflash(cmd, dir, name, "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd");
      }
    }
    if (fw != Firmware.BIOS) {
      cmd.addAll(List.of("-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=no"));
      if (net == Net.HTTP) {
        cmd.addAll(List.of("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=no"));
      }
    }
    cmd.addAll(
        List.of(
            "-accel",
            "tcg",
            "-nographic",
            "-serial",
            "file:" + serial,
            "-monitor",
            "none",
            "-no-reboot",
            "-netdev",
            "tap,id=n0,ifname=" + name + ",script=no,downscript=no",
            "-device",
            nic));
    Process p = lan.start(lan.server(), out, cmd.toArray(String[]::new));
    return new Guest(name, p, serial, out);
  }

  private static void pflash(List<String> cmd, Path dir, String name, String code, String vars)
      throws IOException {
    for (String f : List.of(code, vars)) {
      if (!Files.exists(Path.of(f))) {
        throw new AssertionError(
            f + " is missing (scripts/test-packages.txt: ovmf, qemu-efi-aarch64)");
      }
    }
    Path copy = dir.resolve(name + ".vars.fd");
    Files.copy(Path.of(vars), copy, StandardCopyOption.REPLACE_EXISTING);
    cmd.addAll(
        List.of(
            "-drive",
            "if=pflash,format=raw,readonly=on,file=" + code,
            "-drive",
            "if=pflash,format=raw,file=" + copy));
  }

  /**
   * Waits until {@code done} holds, the emulator exits, or {@code seconds} pass.
   *
   * @return whether {@code done} held
   */
  public boolean await(BooleanSupplier done, long seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (done.getAsBoolean()) {
        return true;
      }
      if (!process.isAlive()) {
        return done.getAsBoolean();
      }
      Thread.sleep(250);
    }
    return done.getAsBoolean();
  }

  /** The serial console so far, ANSI escapes and carriage returns removed. */
  public String console() {
    return text(serial);
  }

  /** The console and QEMU's own output, for assertion messages. */
  public String describe() {
    return "guest "
        + name
        + (process.isAlive() ? " (running)" : " (exited " + process.exitValue() + ")")
        + "\n--- console ---\n"
        + tail(console(), 20000)
        + "\n--- qemu ---\n"
        + tail(text(output), 2000);
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : "..." + s.substring(s.length() - n);
  }

  static String text(Path p) {
    try {
      if (!Files.exists(p)) {
        return "";
      }
      return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
          .replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "")
          .replace("\r", "");
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    Processes.kill(process);
  }
}
