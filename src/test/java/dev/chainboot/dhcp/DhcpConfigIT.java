package dev.chainboot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Lan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chainboot dhcp-config} loaded into the real servers: each format passes the server's own
 * config check, and dnsmasq, ISC dhcpd and Kea running the generated configuration on a namespace
 * LAN hand udhcpc the right boot file and next-server for its architecture and for iPXE.
 */
class DhcpConfigIT {

  @TempDir Path tmp;

  record Run(int exit, String out) {}

  static Run run(String... cmd) throws Exception {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(java.time.Duration.ofSeconds(60), cmd);
    return new Run(o.exit(), o.stdout());
  }

  static String config(String format, String server) throws Exception {
    Run r =
        run(
            ProxyDhcpIT.javaBin(),
            "-jar",
            System.getProperty("chainboot.jar"),
            "dhcp-config",
            "--format",
            format,
            "--server",
            server,
            "--http-port",
            "8080");
    assertThat(r.exit()).as(r.out()).isZero();
    return r.out();
  }

  @Test
  void iscOutputPassesDhcpdConfigCheck() throws Exception {
    Path f = tmp.resolve("dhcpd.conf");
    Files.writeString(f, config("isc", "10.9.0.1") + "subnet 10.9.0.0 netmask 255.255.255.0 { }\n");
    Run r = run("dhcpd", "-t", "-cf", f.toString());
    assertThat(r.exit()).as(r.out()).isZero();
    // the check is real: a broken file fails it
    Files.writeString(f, config("isc", "10.9.0.1").replace("filename", "filenam"));
    assertThat(run("dhcpd", "-t", "-cf", f.toString()).exit()).isNotZero();
  }

  @Test
  void dnsmasqOutputPassesDnsmasqTest() throws Exception {
    Path f = tmp.resolve("dnsmasq.conf");
    Files.writeString(f, config("dnsmasq", "10.9.0.1"));
    Run r = run("dnsmasq", "--test", "--conf-file=" + f);
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("syntax check OK");
    Files.writeString(f, config("dnsmasq", "10.9.0.1").replace("dhcp-boot=", "dhcp-bot="));
    assertThat(run("dnsmasq", "--test", "--conf-file=" + f).exit()).isNotZero();
  }

  @Test
  void keaOutputIsAFullConfigThatPassesKeaDhcp4Test() throws Exception {
    Path f = tmp.resolve("kea-dhcp4.conf");
    String kea = config("kea", "10.9.0.1");
    Files.writeString(f, kea);
    Run r = run("kea-dhcp4", "-t", f.toString());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(kea)
        .contains(
            "option[93].hex == 0x0007",
            "\"boot-file-name\": \"snponly.efi\"",
            "\"boot-file-name\": \"http://10.9.0.1:8080/boot.ipxe\"");
    Files.writeString(f, kea.replace("option[93].hex", "option[93].hexx"));
    assertThat(run("kea-dhcp4", "-t", f.toString()).exit()).isNotZero();
  }

  /**
   * {@code --trust-ca}: each server's configuration force-sends option 175.90 with the CA's
   * SHA-256, and still passes that server's own check.
   */
  @Test
  void trustCaAddsTheFingerprintAndEachServerAcceptsTheConfiguration() throws Exception {
    Path data = tmp.resolve("data");
    new dev.chainboot.tls.CaFiles(data)
        .init(
            List.of("boot.example"),
            List.of(),
            java.time.Duration.ofDays(30),
            false,
            java.time.Instant.now());
    Path ca = data.resolve("tls/ca.crt");
    byte[] fp =
        dev.chainboot.tls.CertificateAuthority.fingerprint(
            dev.chainboot.tls.Pem.certificates(ca).get(0));
    String colons = java.util.HexFormat.ofDelimiter(":").formatHex(fp);
    String plain = java.util.HexFormat.of().formatHex(fp);
    java.util.function.Function<String, String> withCa =
        format -> {
          try {
            Run r =
                run(
                    ProxyDhcpIT.javaBin(),
                    "-jar",
                    System.getProperty("chainboot.jar"),
                    "dhcp-config",
                    "--format",
                    format,
                    "--server",
                    "10.9.0.1",
                    "--trust-ca",
                    ca.toString());
            assertThat(r.exit()).as(r.out()).isZero();
            return r.out();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

    String isc = withCa.apply("isc");
    assertThat(isc)
        .contains("option ipxe.trust code 90 = string;")
        .contains("option ipxe.trust " + colons + ";");
    Path f = tmp.resolve("dhcpd-trust.conf");
    Files.writeString(f, isc + "subnet 10.9.0.0 netmask 255.255.255.0 { }\n");
    Run r = run("dhcpd", "-t", "-cf", f.toString());
    assertThat(r.exit()).as(r.out()).isZero();

    String dnsmasq = withCa.apply("dnsmasq");
    assertThat(dnsmasq)
        .contains("dhcp-option-force=tag:!chainboot-ipxe,encap:175,90," + colons + "\n");
    f = tmp.resolve("dnsmasq-trust.conf");
    Files.writeString(f, dnsmasq);
    r = run("dnsmasq", "--test", "--conf-file=" + f);
    assertThat(r.exit()).as(r.out()).isZero();

    String kea = withCa.apply("kea");
    assertThat(kea).contains("\"data\": \"" + plain + "\", \"always-send\": true");
    f = tmp.resolve("kea-trust.conf");
    Files.writeString(f, kea);
    r = run("kea-dhcp4", "-t", f.toString());
    assertThat(r.exit()).as(r.out()).isZero();

    // a file without a certificate is a clear error
    Files.writeString(tmp.resolve("empty.pem"), "nothing\n");
    r =
        run(
            ProxyDhcpIT.javaBin(),
            "-jar",
            System.getProperty("chainboot.jar"),
            "dhcp-config",
            "--format",
            "isc",
            "--server",
            "10.9.0.1",
            "--trust-ca",
            tmp.resolve("empty.pem").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("--trust-ca");
  }

  @Test
  void rejectsABadServerAddress() throws Exception {
    Run r =
        run(
            ProxyDhcpIT.javaBin(),
            "-jar",
            System.getProperty("chainboot.jar"),
            "dhcp-config",
            "--format",
            "isc",
            "--server",
            "10.0.0.1\"; filename \"evil");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("--server must be an IPv4 address");
  }

  /** The generated configurations at work: the LAN's own server tells each client what to boot. */
  @Test
  void dnsmasqDhcpdAndKeaServeTheMappingToRealClients() throws Exception {
    try (Lan lan = Lan.create()) {
      String server = lan.ip(1);
      String dhcp = lan.attach("dhcp", null, lan.ip(2) + "/24");
      // dnsmasq with the generated snippet
      Path dconf = tmp.resolve("dnsmasq-full.conf");
      Files.writeString(
          dconf,
          config("dnsmasq", server)
              + "dhcp-range="
              + lan.ip(100)
              + ","
              + lan.ip(150)
              + ",2m\n"
              + "port=0\ninterface=eth0\nbind-interfaces\ndhcp-leasefile="
              + tmp.resolve("dm.leases")
              + "\n");
      Process dm =
          lan.start(dhcp, tmp.resolve("dm.log"), "dnsmasq", "--no-daemon", "--conf-file=" + dconf);
      try {
        assertBootFiles(lan, "dm", server);
      } finally {
        dev.chainboot.testing.Processes.stop(dm);
      }
      // ISC dhcpd with the generated snippet
      Path iconf = tmp.resolve("dhcpd-full.conf");
      String prefix = server.substring(0, server.lastIndexOf('.'));
      Files.writeString(
          iconf,
          "authoritative;\n"
              + config("isc", server)
              + "subnet "
              + prefix
              + ".0 netmask 255.255.255.0 { range "
              + lan.ip(160)
              + " "
              + lan.ip(200)
              + "; }\n");
      Path leases = tmp.resolve("dhcpd.leases");
      Files.writeString(leases, "");
      Process isc =
          lan.start(
              dhcp,
              tmp.resolve("dhcpd.log"),
              "dhcpd",
              "-f",
              "-4",
              "-cf",
              iconf.toString(),
              "-lf",
              leases.toString(),
              "-pf",
              tmp.resolve("dhcpd.pid").toString(),
              "eth0");
      try {
        assertBootFiles(lan, "isc", server);
      } finally {
        dev.chainboot.testing.Processes.stop(isc);
      }
      // Kea with the generated configuration, given an interface and a subnet
      Path kconf = tmp.resolve("kea-full.conf");
      Files.writeString(
          kconf,
          config("kea", server)
              .replace("\"interfaces\": [ ]", "\"interfaces\": [ \"eth0\" ]")
              .replace(
                  "\"subnet4\": [ ]",
                  "\"subnet4\": [ { \"subnet\": \""
                      + prefix
                      + ".0/24\", \"pools\": [ { \"pool\": \""
                      + lan.ip(210)
                      + " - "
                      + lan.ip(240)
                      + "\" } ] } ]"));
      Process kea =
          lan.start(
              dhcp,
              tmp.resolve("kea.log"),
              "env",
              "KEA_PIDFILE_DIR=" + tmp,
              "KEA_LOCKFILE_DIR=" + tmp,
              "kea-dhcp4",
              "-c",
              kconf.toString());
      try {
        assertThat(Lan.await(tmp.resolve("kea.log"), "DHCP4_STARTED", kea, 30))
            .as(ProxyDhcpIT.read(tmp.resolve("kea.log")))
            .isTrue();
        assertBootFiles(lan, "kea", server);
      } finally {
        dev.chainboot.testing.Processes.stop(kea);
      }
    }
  }

  private void assertBootFiles(Lan lan, String name, String server) throws Exception {
    assertThat(lease(lan, name + "b", "PXEClient:Arch:00000:UNDI:002001", "0x5d:0000"))
        .containsEntry("boot_file", "undionly.kpxe")
        .containsEntry("siaddr", server);
    assertThat(lease(lan, name + "e", "PXEClient:Arch:00007:UNDI:003016", "0x5d:0007"))
        .containsEntry("boot_file", "snponly.efi")
        .containsEntry("siaddr", server);
    assertThat(lease(lan, name + "a", "PXEClient:Arch:00011:UNDI:003016", "0x5d:000b"))
        .containsEntry("boot_file", "ipxe-arm64.efi");
    assertThat(
            lease(
                lan,
                name + "i",
                "PXEClient:Arch:00000:UNDI:002001",
                "0x5d:0000",
                "-x",
                "77:69505845"))
        .containsEntry("boot_file", "http://" + server + ":8080/boot.ipxe");
  }

  /** udhcpc's environment when bound (the ACK's fields: boot_file, siaddr, ...). */
  private Map<String, String> lease(
      Lan lan, String name, String vendor, String arch, String... extra) throws Exception {
    String ns = lan.attach(name, null, null);
    Path script = tmp.resolve("udhcpc-" + name + ".sh");
    Path env = tmp.resolve("udhcpc-" + name + ".env");
    Files.writeString(script, "#!/bin/sh\n[ \"$1\" = bound ] && env > " + env + "\nexit 0\n");
    script.toFile().setExecutable(true);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "timeout",
                "40",
                "udhcpc",
                "-f",
                "-q",
                "-n",
                "-t",
                "5",
                "-T",
                "3",
                "-i",
                "eth0",
                "-s",
                script.toString(),
                "-V",
                vendor,
                "-x",
                arch));
    cmd.addAll(List.of(extra));
    lan.exec(ns, cmd.toArray(String[]::new));
    assertThat(env).as("udhcpc %s got a lease", name).exists();
    return Files.readAllLines(env).stream()
        .filter(l -> l.contains("="))
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf('=')),
                l -> l.substring(l.indexOf('=') + 1),
                (a, b) -> b));
  }
}
