package dev.chainboot.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots media written by the real {@code chainboot media} command in QEMU (software emulation,
 * SeaBIOS and OVMF, the unmodified Debian iPXE/ISOLINUX binaries) until the guest's iPXE fetches a
 * marker URL from a test HTTP server on 127.0.0.1. The guest reaches that server only through
 * QEMU's {@code restrict=on,guestfwd} (10.0.2.100:80 -> 127.0.0.1:PORT). One {@code media iso}
 * output boots as BIOS CD, UEFI CD, BIOS USB and UEFI USB; the {@code img} output as a BIOS hard
 * disk; the {@code esp} output as a virtio disk under OVMF.
 */
@Tag("qemu")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MediaBootIT {

  static final String JAR = System.getProperty("chainboot.jar", "target/chainboot.jar");
  static final String MARKER = "/chainboot-media-marker";
  static final String URL = "http://10.0.2.100" + MARKER;
  static final String OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  static final String OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
  static final long TIMEOUT_S = 180;

  @TempDir static Path tmp;
  static HttpServer server;
  static final List<String> hits = new CopyOnWriteArrayList<>();

  /** When set, the marker answers 404 (to see the script's failure path). */
  static volatile boolean answerNotFound;

  @BeforeAll
  static void setUp() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          hits.add(ex.getRequestURI().toString());
          byte[] body =
              "#!ipxe\necho chainboot-test: marker reached\n".getBytes(StandardCharsets.US_ASCII);
          ex.sendResponseHeaders(answerNotFound ? 404 : 200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    String[][] builds = {
      {"iso", "boot.iso", "x86_64"},
      {"img", "boot.img", "x86_64"},
      {"esp", "boot.esp", "x86_64"},
      {"esp", "both.esp", "x86_64,arm64"}
    };
    for (String[] b : builds) {
      dev.chainboot.testing.Processes.Output o =
          dev.chainboot.testing.Processes.run(
              new ProcessBuilder(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-jar",
                      Path.of(JAR).toAbsolutePath().toString(),
                      "media",
                      b[0],
                      URL,
                      "-o",
                      b[1],
                      "--arch",
                      b[2])
                  .directory(tmp.toFile())
                  .redirectErrorStream(true),
              java.time.Duration.ofSeconds(60));
      assertThat(o.exit()).as(o.stdout()).isZero();
    }
  }

  @AfterAll
  static void tearDown() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static List<String> uefi(String name) throws Exception {
    Path vars = tmp.resolve(name + "-vars.fd");
    Files.copy(Path.of(OVMF_VARS), vars, StandardCopyOption.REPLACE_EXISTING);
    return List.of(
        "-machine",
        "q35",
        "-drive",
        "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
        "-drive",
        "if=pflash,format=raw,file=" + vars);
  }

  private static List<String> cdrom(String file) {
    return List.of(
        "-drive",
        "file=" + tmp.resolve(file) + ",media=cdrom,if=none,id=cd0,readonly=on",
        "-device",
        "ide-cd,drive=cd0,bootindex=0");
  }

  private static List<String> usb(String file) {
    return List.of(
        "-drive",
        "if=none,id=s,format=raw,snapshot=on,file=" + tmp.resolve(file),
        "-device",
        "qemu-xhci",
        "-device",
        "usb-storage,drive=s,bootindex=0");
  }

  /** Boots QEMU with {@code args} until the marker is fetched; kills QEMU in every case. */
  private static String bootsToMarker(String name, List<String> args) throws Exception {
    return bootsToMarker(name, args, null);
  }

  /**
   * Boots until the marker is fetched and, if {@code thenExpect} is given, until the serial console
   * shows it too; returns the serial log (ANSI escapes removed).
   */
  private static String bootsToMarker(String name, List<String> args, String thenExpect)
      throws Exception {
    hits.clear();
    Path serial = tmp.resolve(name + ".serial.log");
    boolean arm = args.get(0).equals("arm64");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                arm ? "qemu-system-aarch64" : "qemu-system-x86_64",
                "-accel",
                "tcg",
                "-m",
                "512",
                "-nographic",
                "-monitor",
                "none",
                "-serial",
                "file:" + serial,
                "-no-reboot",
                "-netdev",
                "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:"
                    + server.getAddress().getPort(),
                "-device",
                (arm ? "virtio-net-pci" : "e1000") + ",netdev=n0"));
    cmd.addAll(arm ? args.subList(1, args.size()) : args);
    Process q =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve(name + ".qemu.log").toFile())
            .start();
    long start = System.nanoTime();
    try {
      long deadline = start + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
      while (hits.isEmpty() && q.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      long extra = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (thenExpect != null
          && !hits.isEmpty()
          && q.isAlive()
          && System.nanoTime() < extra
          && !(Files.exists(serial)
              && Files.readString(serial, StandardCharsets.ISO_8859_1).contains(thenExpect))) {
        Thread.sleep(200);
      }
    } finally {
      q.destroyForcibly();
      q.waitFor(10, TimeUnit.SECONDS);
    }
    String log = Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
    String clean = log.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
    assertThat(hits)
        .as(
            "%s: marker not fetched in %d s; serial log tail:%n%s%nqemu:%n%s",
            name,
            TIMEOUT_S,
            clean.substring(Math.max(0, clean.length() - 2000)),
            Files.readString(tmp.resolve(name + ".qemu.log")))
        .contains(MARKER);
    assertThat(clean).contains("chainboot: booting from " + URL);
    System.out.printf(
        "MediaBootIT %s: marker fetched after %.1f s%n", name, (System.nanoTime() - start) / 1e9);
    return clean;
  }

  @Test
  @Order(1)
  void isoBootsAsBiosCd() throws Exception {
    // The server answers 404 here: the script must say so and open the iPXE shell (QEMU runs
    // with -no-reboot, so a reboot would end it instead).
    answerNotFound = true;
    try {
      String log =
          bootsToMarker(
              "bios-cd",
              List.of("-cdrom", tmp.resolve("boot.iso").toString(), "-boot", "d"),
              "iPXE>");
      assertThat(log)
          .contains("chainboot: could not boot from " + URL)
          .contains("chainboot: starting the iPXE shell")
          .contains("iPXE>");
    } finally {
      answerNotFound = false;
    }
  }

  @Test
  @Order(2)
  void isoBootsAsUefiCd() throws Exception {
    List<String> a = new ArrayList<>(uefi("uefi-cd"));
    a.addAll(cdrom("boot.iso"));
    bootsToMarker("uefi-cd", a);
  }

  @Test
  @Order(3)
  void isoBootsAsBiosUsb() throws Exception {
    bootsToMarker("bios-usb", usb("boot.iso"));
  }

  @Test
  @Order(4)
  void isoBootsAsUefiUsb() throws Exception {
    List<String> a = new ArrayList<>(uefi("uefi-usb"));
    a.addAll(usb("boot.iso"));
    bootsToMarker("uefi-usb", a);
  }

  @Test
  @Order(5)
  void imgBootsAsBiosHardDisk() throws Exception {
    bootsToMarker(
        "img-bios-disk",
        List.of(
            "-drive",
            "if=none,id=d0,format=raw,snapshot=on,file=" + tmp.resolve("boot.img"),
            "-device",
            "virtio-blk-pci,drive=d0,bootindex=0"));
  }

  @Test
  @Order(6)
  void espBootsAsUefiVirtioDisk() throws Exception {
    List<String> a = new ArrayList<>(uefi("esp"));
    a.addAll(
        List.of(
            "-drive",
            "if=none,id=d0,format=raw,snapshot=on,file=" + tmp.resolve("boot.esp"),
            "-device",
            "virtio-blk-pci,drive=d0,bootindex=0"));
    bootsToMarker("esp-uefi-virtio", a);
  }

  /** arm64: the x86_64+arm64 esp under AAVMF (qemu-system-aarch64, virt, cortex-a57). */
  @Test
  @Order(7)
  void combinedEspBootsOnArm64Uefi() throws Exception {
    Path vars = tmp.resolve("aavmf-vars.fd");
    Files.copy(
        Path.of("/usr/share/AAVMF/AAVMF_VARS.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    bootsToMarker(
        "arm64-esp",
        List.of(
            "arm64",
            "-M",
            "virt",
            "-cpu",
            "cortex-a57",
            "-drive",
            "if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd",
            "-drive",
            "if=pflash,format=raw,file=" + vars,
            "-drive",
            "if=none,id=d0,format=raw,snapshot=on,file=" + tmp.resolve("both.esp"),
            "-device",
            "virtio-blk-pci,drive=d0,bootindex=0"));
  }

  /**
   * End to end through the server: {@code GET /media/<mac>.iso} from a running chainboot, booted as
   * a BIOS CD; its iPXE chains to {@code /boot.ipxe?mac=...}, the boot core answers with the
   * machine's static profile, which chains to a marker route on the same server.
   */
  @Test
  @Order(8)
  void serverMediaForAMachineBootsThroughTheBootCore() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (dev.chainboot.server.ChainbootServer cb =
        new dev.chainboot.server.ChainbootServer(
                dev.chainboot.config.ServerConfig.builder(tmp.resolve("cb-data"))
                    .http(new InetSocketAddress("127.0.0.1", port))
                    .advertise(java.util.Optional.of("10.0.2.100"))
                    .build())
            .start()) {
      List<String> cbHits = new CopyOnWriteArrayList<>();
      cb.httpRouter()
          .exact(
              "/e2e-marker",
              new dev.chainboot.http.PlainTextHandler(
                  r -> {
                    cbHits.add("/e2e-marker");
                    return "#!ipxe\necho chainboot-test: e2e marker\n";
                  }));
      dev.chainboot.boot.MacAddress mac =
          dev.chainboot.boot.MacAddress.parse("52:54:00:12:34:56").orElseThrow();
      cb.store().putMachine(dev.chainboot.boot.Machine.of(mac));
      cb.store()
          .putProfile(
              new dev.chainboot.boot.Profile(
                  "e2e",
                  dev.chainboot.boot.Profile.Kind.CHAIN,
                  java.util.Optional.empty(),
                  List.of(),
                  java.util.Optional.empty(),
                  java.util.Optional.of("http://10.0.2.100:" + port + "/e2e-marker"),
                  java.util.Optional.empty(),
                  List.of()));
      cb.store()
          .assign(
              new dev.chainboot.boot.Assignment(
                  mac, dev.chainboot.boot.Assignment.Kind.STATIC, "e2e"));
      java.net.http.HttpResponse<Path> iso =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://127.0.0.1:" + port + "/media/52-54-00-12-34-56.iso"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofFile(tmp.resolve("server.iso")));
      assertThat(iso.statusCode()).isEqualTo(200);
      Path serial = tmp.resolve("e2e.serial.log");
      Process q =
          new ProcessBuilder(
                  "qemu-system-x86_64",
                  "-accel",
                  "tcg",
                  "-m",
                  "512",
                  "-nographic",
                  "-monitor",
                  "none",
                  "-serial",
                  "file:" + serial,
                  "-no-reboot",
                  "-netdev",
                  "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:"
                      + port
                      + "-tcp:127.0.0.1:"
                      + port,
                  "-device",
                  "e1000,netdev=n0",
                  "-cdrom",
                  tmp.resolve("server.iso").toString(),
                  "-boot",
                  "d")
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("e2e.qemu.log").toFile())
              .start();
      long start = System.nanoTime();
      try {
        long deadline = start + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (cbHits.isEmpty() && q.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
      } finally {
        q.destroyForcibly();
        q.waitFor(10, TimeUnit.SECONDS);
      }
      String log =
          Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
      assertThat(cbHits)
          .as("serial log:%n%s", log.substring(Math.max(0, log.length() - 2000)))
          .isNotEmpty();
      assertThat(log).contains("http://10.0.2.100:" + port + "/boot.ipxe?mac=52-54-00-12-34-56");
      System.out.printf(
          "MediaBootIT server-media-e2e: marker fetched after %.1f s%n",
          (System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Without a network the default script retries DHCP five times (iPXE's inc/iseq), then says so
   * and opens the iPXE shell instead of rebooting.
   */
  @Test
  @Order(9)
  void withoutNetworkTheScriptRetriesDhcpThenOpensTheShell() throws Exception {
    Path serial = tmp.resolve("nonet.serial.log");
    Process q =
        new ProcessBuilder(
                "qemu-system-x86_64",
                "-accel",
                "tcg",
                "-m",
                "512",
                "-nographic",
                "-monitor",
                "none",
                "-serial",
                "file:" + serial,
                "-no-reboot",
                "-nic",
                "none",
                "-cdrom",
                tmp.resolve("boot.iso").toString(),
                "-boot",
                "d")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("nonet.qemu.log").toFile())
            .start();
    String log = "";
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
      while (q.isAlive() && System.nanoTime() < deadline && !log.contains("iPXE>")) {
        Thread.sleep(500);
        log = Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
      }
    } finally {
      q.destroyForcibly();
      q.waitFor(10, TimeUnit.SECONDS);
    }
    String clean = log.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
    assertThat(clean)
        .as(clean.substring(Math.max(0, clean.length() - 2000)))
        .contains("no DHCP answer (attempt 4 of 5)")
        .contains("chainboot: no network configuration after 5 DHCP attempts")
        .contains("chainboot: starting the iPXE shell")
        .contains("iPXE>");
  }
}
