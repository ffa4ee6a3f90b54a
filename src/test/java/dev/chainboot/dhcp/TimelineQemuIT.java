package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Lan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A machine's whole boot timeline from a real network boot: QEMU with OVMF (the firmware's own PXE,
 * no iPXE ROM) on a namespace LAN, dnsmasq as the LAN's DHCP server and chainboot ({@code serve
 * --proxy-dhcp}, the real jar) for everything else. The firmware gets a proxyDHCP offer, fetches
 * snponly.efi over our TFTP; iPXE asks our proxyDHCP again and fetches its script over HTTP; the
 * script fetches its kernel (an iPXE script, so that the guest needs no Linux) and initrd from our
 * {@code /assets/}; the kernel, run, fetches a marker. {@code chainboot events MAC} and {@code
 * /api/v1/events} show every stage against the machine, in order, with its measurements.
 */
@Tag("qemu")
class TimelineQemuIT {

  static final String MAC = "52:54:00:7e:11:01";
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir static Path tmp;
  static Lan lan;
  static Path data;
  static Path log;
  static String token;
  static Process chainboot;

  @BeforeAll
  static void startLan() throws Exception {
    lan = Lan.create();
    String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
    lan.startDnsmasq(dhcp, tmp);
    data = tmp.resolve("data");
    Path assets = Files.createDirectories(data.resolve("assets"));
    String base = "http://" + lan.ip(1) + ":8080";
    // the "kernel": an iPXE script, which iPXE's boot runs; it fetches a marker from us
    Files.writeString(
        assets.resolve("kernel.ipxe"),
        "#!ipxe\necho chainboot-test: kernel ran\nimgfetch "
            + base
            + "/assets/reached.txt\necho chainboot-test: marker fetched\nsleep 600\n");
    byte[] initrd = new byte[256 * 1024];
    new Random(7).nextBytes(initrd);
    Files.write(assets.resolve("initrd.img"), initrd);
    Files.writeString(assets.resolve("reached.txt"), "reached\n");
    ProxyDhcpIT.cli(
        "profile",
        "add",
        "--data",
        data.toString(),
        "--kernel",
        "{{base_url}}/assets/kernel.ipxe",
        "--initrd",
        "{{base_url}}/assets/initrd.img",
        "install");
    ProxyDhcpIT.cli("machine", "add", "--data", data.toString(), MAC);
    ProxyDhcpIT.cli("boot", "static", "--data", data.toString(), MAC, "install");
    // The API is on the admin listener, behind a token.
    java.util.regex.Matcher t =
        java.util.regex.Pattern.compile("cbt_\\S+")
            .matcher(
                ProxyDhcpIT.cli(
                    "token", "create", "--data", data.toString(), "timeline", "--role", "viewer"));
    assertThat(t.find()).isTrue();
    token = t.group();
    log = tmp.resolve("chainboot.log");
    chainboot =
        lan.start(
            lan.server(),
            log,
            ProxyDhcpIT.javaBin(),
            "-jar",
            System.getProperty("chainboot.jar"),
            "serve",
            "--proxy-dhcp",
            "--data",
            data.toString(),
            "--tftp",
            "0.0.0.0:69",
            "--http",
            "0.0.0.0:8080",
            "--admin",
            "127.0.0.1:9090");
    assertThat(Lan.await(log, "proxyDHCP listening", chainboot, 60))
        .as(ProxyDhcpIT.read(log))
        .isTrue();
  }

  @AfterAll
  static void stopLan() {
    if (lan != null) {
      lan.close();
    }
  }

  @Test
  void anOvmfPxeBootThroughProxyDhcpTftpAndHttpIsRecordedStageByStage() throws Exception {
    lan.addTap("cbtaptl");
    Path vars = tmp.resolve("OVMF_VARS.fd");
    Files.copy(
        Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
    Process qemu =
        lan.start(
            lan.server(),
            tmp.resolve("qemu.log"),
            "qemu-system-x86_64",
            "-accel",
            "tcg",
            "-nographic",
            "-serial",
            "file:" + tmp.resolve("serial.log"),
            "-monitor",
            "none",
            "-m",
            "256",
            "-machine",
            "q35",
            "-drive",
            "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
            "-drive",
            "if=pflash,format=raw,file=" + vars,
            "-fw_cfg",
            "name=opt/org.tianocore/IPv6PXESupport,string=no",
            "-netdev",
            "tap,id=n0,ifname=cbtaptl,script=no,downscript=no",
            "-device",
            "virtio-net-pci,netdev=n0,romfile=,bootindex=0,mac=" + MAC);
    try {
      assertThat(Lan.await(log, "GET /assets/reached.txt", qemu, 300))
          .as("the kernel never fetched its marker; chainboot log:%n%s", ProxyDhcpIT.read(log))
          .isTrue();
    } finally {
      qemu.destroyForcibly();
      qemu.waitFor(10, TimeUnit.SECONDS);
    }
    // the marker's download is recorded after its response: give the writer a moment
    JsonNode events = null;
    for (int i = 0; i < 50; i++) {
      events =
          JSON.readTree(
              ProxyDhcpIT.cli(
                  "events", "--data", data.toString(), MAC, "--json", "--limit", "100"));
      if (events.toString().contains("/assets/reached.txt")) {
        break;
      }
      Thread.sleep(200);
    }
    List<String> stages = events.valueStream().map(e -> e.get("stage").asString()).toList();
    List<String> what =
        events
            .valueStream()
            .map(e -> e.get("stage").asString() + " " + e.get("detail").toString())
            .toList();
    // every stage, in order (the firmware and iPXE may repeat a DHCP exchange)
    assertThat(stages)
        .as(String.join("\n", what))
        .containsSubsequence(
            "dhcp-offer", "tftp", "dhcp-offer", "script", "download", "download", "download");
    JsonNode offer = first(events, "dhcp-offer");
    assertThat(offer.get("detail").get("file").asString()).isEqualTo("snponly.efi");
    assertThat(offer.get("detail").get("arch").asString()).isEqualTo("7 (EFI_X86_64)");
    assertThat(offer.get("mac").asString()).isEqualTo(MAC);
    // (OVMF asks for the size first and aborts that transfer: a stage of its own)
    JsonNode tftp =
        events
            .valueStream()
            .filter(
                e ->
                    e.get("stage").asString().equals("tftp")
                        && e.get("detail").get("result").asString().equals("ok"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no complete TFTP transfer: " + what));
    assertThat(tftp.get("mac").asString()).as("TFTP came with an address only").isEqualTo(MAC);
    assertThat(tftp.get("detail").get("file").asString()).isEqualTo("snponly.efi");
    assertThat(tftp.get("detail").get("result").asString()).isEqualTo("ok");
    assertThat(tftp.get("detail").get("bytes").asLong()).isGreaterThan(100_000);
    assertThat(tftp.get("detail").has("blksize")).isTrue();
    assertThat(tftp.get("detail").has("windowsize")).isTrue();
    assertThat(tftp.get("detail").has("duration_ms")).isTrue();
    JsonNode script = first(events, "script");
    assertThat(script.get("profile").asString()).isEqualTo("install");
    assertThat(script.get("match").asString()).isEqualTo("static");
    assertThat(script.get("detail").get("expects").asString())
        .isEqualTo("/assets/kernel.ipxe /assets/initrd.img");
    List<String> downloads =
        events
            .valueStream()
            .filter(e -> e.get("stage").asString().equals("download"))
            .map(e -> e.get("detail").get("path").asString())
            .toList();
    assertThat(downloads)
        .containsSubsequence("/assets/kernel.ipxe", "/assets/initrd.img", "/assets/reached.txt");
    assertThat(
            events
                .valueStream()
                .filter(
                    e ->
                        e.get("stage").asString().equals("download")
                            && e.get("detail").get("path").asString().equals("/assets/initrd.img"))
                .findFirst()
                .orElseThrow()
                .get("detail")
                .get("bytes")
                .asLong())
        .isEqualTo(256 * 1024);

    // the table operators read, and the API, say the same
    String table = ProxyDhcpIT.cli("events", "--data", data.toString(), MAC, "--limit", "100");
    System.out.println(table); // the timeline, for the test report
    assertThat(table)
        .containsSubsequence(
            "dhcp-offer", "snponly.efi", "tftp", "script", "install", "download", "kernel.ipxe");
    JsonNode api =
        JSON.readTree(
            lan.exec(
                lan.server(),
                "curl",
                "-sf",
                "--max-time",
                "20",
                "-H",
                "Authorization: Bearer " + token,
                "http://127.0.0.1:9090/api/v1/events?machine=" + MAC + "&limit=100"));
    api = api.get("events");
    assertThat(api.valueStream().map(e -> e.get("stage").asString()).toList()).isEqualTo(stages);
  }

  static JsonNode first(JsonNode events, String stage) {
    return events
        .valueStream()
        .filter(e -> e.get("stage").asString().equals(stage))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + stage + " in " + events));
  }
}
