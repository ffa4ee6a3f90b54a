package dev.chainboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.testing.Podman;
import dev.chainboot.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The packages, each built by {@code ./scripts/package deb|rpm|oci} from packaging/, and tried
 * where they will run: the .deb installed with apt-get in Debian 13 (trixie, made by mmdebstrap)
 * running the CLI, serve and an HTTP boot, then removed (data kept) and purged (data gone); its
 * unit checked by systemd-analyze (verify: no output; security: exposure at most 2.0) and really
 * started by systemd as PID 1 in a container, serving TFTP on port 69 as its dynamic user; the
 * rpm's files and scripts; the container image serving /health, a boot script and TFTP, as a
 * non-root user. The podman parts are skipped, saying why, only on a machine without podman or
 * mmdebstrap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 900, unit = java.util.concurrent.TimeUnit.SECONDS)
class PackageIT {

  static Path dir;
  static Path deb;
  static Path rpm;
  static final Path ROOT = Path.of(System.getProperty("chainboot.root", "."));
  static final String JAR = System.getProperty("chainboot.jar", "target/chainboot.jar");
  static Podman podman;

  @BeforeAll
  static void build() throws Exception {
    dir = Files.createTempDirectory("chainboot-package-it");
    deb = Path.of(packageCmd("deb").lines().reduce((a, b) -> b).orElseThrow());
    rpm = Path.of(packageCmd("rpm").lines().reduce((a, b) -> b).orElseThrow());
    assertThat(deb).exists();
    assertThat(rpm).exists();
  }

  @AfterAll
  static void cleanUp() {
    if (podman != null) {
      podman.close();
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("PackageIT: " + e);
    }
  }

  static String packageCmd(String kind, String... env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                ROOT.resolve("scripts/package").toString(),
                kind,
                "--jar",
                JAR,
                "--out",
                dir.resolve("out").toString())
            .directory(ROOT.toFile());
    for (int i = 0; i + 1 < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    if (podman != null) {
      pb.environment().putAll(podman.env());
    }
    Processes.Output o = Processes.run(pb, Duration.ofMinutes(10));
    assertThat(o.exit()).as("scripts/package %s: %s", kind, o.all()).isZero();
    return o.stdout().strip();
  }

  static Processes.Output run(String... cmd) throws Exception {
    return Processes.run(Duration.ofMinutes(2), cmd);
  }

  // ------------------------------------------------------------------------ without containers

  @Test
  @Order(1)
  void theDebAndTheRpmHoldTheSameTreeAndTheirScripts() throws Exception {
    String info = run("dpkg-deb", "-I", deb.toString()).stdout();
    assertThat(info)
        .contains("Package: chainboot")
        .contains("Architecture: all")
        .contains(
            "Depends: openjdk-21-jre-headless | openjdk-25-jre-headless | java21-runtime-headless")
        .contains("postinst")
        .contains("postrm")
        .contains("prerm");
    assertThat(run("dpkg-deb", "-f", deb.toString(), "Version").stdout().strip())
        .matches("\\d+\\.\\d+\\.\\d+(~snapshot)?");
    List<String> debFiles =
        run("dpkg-deb", "-c", deb.toString())
            .stdout()
            .lines()
            .filter(l -> !l.startsWith("d"))
            .map(l -> l.substring(l.indexOf("./") + 1))
            .sorted()
            .toList();
    assertThat(debFiles)
        .contains(
            "/usr/bin/chainboot",
            "/usr/share/chainboot/chainboot.jar",
            "/usr/lib/systemd/system/chainboot.service",
            "/etc/chainboot/chainboot.yaml",
            "/usr/share/man/man1/chainboot.1.gz",
            "/usr/share/man/man1/chainboot-serve.1.gz",
            "/usr/share/man/man1/chainboot-config-check.1.gz",
            "/usr/share/doc/chainboot/copyright");
    Path control = dir.resolve("control");
    run("dpkg-deb", "-e", deb.toString(), control.toString());
    assertThat(Files.readString(control.resolve("conffiles")).strip())
        .isEqualTo("/etc/chainboot/chainboot.yaml");
    assertThat(Files.readString(control.resolve("postrm")))
        .contains("\"$1\" = purge")
        .contains("rm -rf /var/lib/private/chainboot /var/lib/chainboot");

    List<String> rpmFiles =
        run("rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILENAMES}\\n]", rpm.toString())
            .stdout()
            .lines()
            .filter(l -> !l.startsWith("d"))
            .map(l -> l.substring(l.indexOf(' ') + 1))
            .sorted()
            .toList();
    assertThat(rpmFiles).as("the rpm's files are the deb's").isEqualTo(debFiles);
    String scripts = run("rpm", "-qp", "--scripts", rpm.toString()).stdout();
    assertThat(scripts)
        .contains("postinstall scriptlet")
        .contains("preuninstall scriptlet")
        .contains("postuninstall scriptlet")
        .contains("systemctl enable chainboot.service")
        .contains("disable --now chainboot.service");
    assertThat(run("rpm", "-qp", "--requires", rpm.toString()).stdout())
        .contains("(java-21-openjdk-headless or java-25-openjdk-headless)");
    assertThat(run("rpm", "-qcp", rpm.toString()).stdout().strip())
        .isEqualTo("/etc/chainboot/chainboot.yaml");
  }

  @Test
  @Order(2)
  void theUnitVerifiesCleanlyAndItsExposureIsAtMostTwo() throws Exception {
    Path root = dir.resolve("root");
    run("dpkg-deb", "-x", deb.toString(), root.toString());
    Path units = root.resolve("usr/lib/systemd/system");
    try (Stream<Path> host = Files.list(Path.of("/lib/systemd/system"))) {
      for (Path p : host.filter(p -> p.toString().matches(".*\\.(target|slice)$")).toList()) {
        Files.copy(p, units.resolve(p.getFileName()));
      }
    }
    Processes.Output verify =
        run("systemd-analyze", "verify", "--man=no", "--root=" + root, "chainboot.service");
    assertThat(verify.exit()).as(verify.all()).isZero();
    assertThat(verify.all()).as("systemd-analyze verify says nothing").isEmpty();
    Processes.Output security =
        run(
            "systemd-analyze",
            "security",
            "--offline=yes",
            "--root=" + root,
            "--no-pager",
            "chainboot.service");
    assertThat(exposure(security.all())).as(security.all()).isLessThanOrEqualTo(2.0);
    assertThat(security.all()).contains(" OK ");
  }

  static double exposure(String text) {
    Matcher m =
        Pattern.compile("Overall exposure level for chainboot.service: (\\d+\\.\\d+) (\\S+)")
            .matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  // ------------------------------------------------------------------------ in containers

  static void podman() throws Exception {
    Podman.assumeAvailable();
    if (podman == null) {
      podman = Podman.start(Files.createDirectories(dir.resolve("podman")));
      long t0 = System.nanoTime();
      podman.importBase();
      System.out.printf(
          "PackageIT: trixie base ready in %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
    }
  }

  /** A container of the base with the packages mounted at /pkg. */
  static String container(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "-d", "--network", "none"));
    args.addAll(Arrays.asList(extra));
    args.addAll(List.of("-v", deb.getParent() + ":/pkg:ro", Podman.BASE_IMAGE));
    args.add(extra.length > 0 ? "/sbin/init" : "sleep");
    if (extra.length == 0) {
      args.add("600");
    }
    return podman.podman(args.toArray(String[]::new));
  }

  static String ok(Processes.Output o) {
    assertThat(o.exit()).as(o.all()).isZero();
    return o.stdout();
  }

  @Test
  @Order(3)
  void theDebInstallsInTrixieServesABootAndOnlyPurgeDeletesItsData() throws Exception {
    podman();
    String c = container();
    String name = "/pkg/" + deb.getFileName();
    assertThat(ok(podman.exec(c, "apt-get install -y " + name))).contains("Setting up chainboot");
    assertThat(ok(podman.exec(c, "chainboot --version")))
        .startsWith("chainboot ")
        .contains("Java 21");
    assertThat(ok(podman.exec(c, "ls -l /usr/share/man/man1/chainboot-serve.1.gz"))).isNotEmpty();
    // serve with the packaged configuration, on an unprivileged port (no systemd here)
    ok(
        podman.exec(
            c,
            "mkdir -p /var/lib/chainboot && (CHAINBOOT_HTTP=127.0.0.1:8080 CHAINBOOT_TFTP=off"
                + " nohup chainboot serve >/tmp/serve.log 2>&1 &)"
                + " && for i in $(seq 1 120); do curl -sf http://127.0.0.1:8080/health && exit 0;"
                + " sleep 1; done; cat /tmp/serve.log; exit 1"));
    ok(podman.exec(c, "chainboot profile add p --chain http://example.invalid/p.ipxe"));
    ok(podman.exec(c, "chainboot boot default p"));
    assertThat(
            ok(podman.exec(c, "curl -sf 'http://127.0.0.1:8080/boot.ipxe?mac=52:54:00:00:00:01'")))
        .startsWith("#!ipxe")
        .contains("chain --autofree http://example.invalid/p.ipxe");
    assertThat(ok(podman.exec(c, "chainboot config show")))
        .contains("# file: /etc/chainboot/chainboot.yaml")
        .containsPattern("data: \"/var/lib/chainboot\" +# /etc/chainboot/chainboot.yaml line");
    ok(podman.exec(c, "pkill -x java; sleep 2; ls /var/lib/chainboot/chainboot.db"));

    // upgrade (the same package again), remove: the data and the configuration stay
    ok(podman.exec(c, "echo '# mine' >> /etc/chainboot/chainboot.yaml"));
    ok(podman.exec(c, "apt-get install -y --reinstall " + name));
    ok(podman.exec(c, "apt-get remove -y chainboot"));
    assertThat(ok(podman.exec(c, "ls /var/lib/chainboot; tail -1 /etc/chainboot/chainboot.yaml")))
        .contains("chainboot.db")
        .contains("# mine");
    assertThat(podman.exec(c, "command -v chainboot").exit()).isNotZero();
    // purge: gone
    ok(podman.exec(c, "apt-get purge -y chainboot"));
    assertThat(podman.exec(c, "ls /var/lib/chainboot").exit()).isNotZero();
    assertThat(podman.exec(c, "ls /etc/chainboot").exit()).isNotZero();
    podman.podman("rm", "-f", c);
  }

  @Test
  @Order(4)
  void systemdStartsTheUnitWhichServesPort69AsItsDynamicUser() throws Exception {
    podman();
    String c = container("--privileged", "--systemd=always");
    ok(
        podman.exec(
            c,
            "for i in $(seq 1 120); do s=$(systemctl is-system-running 2>/dev/null);"
                + " case $s in running|degraded) exit 0;; esac; sleep 0.5; done; exit 1"));
    ok(podman.exec(c, "apt-get install -y /pkg/" + deb.getFileName()));
    ok(
        podman.exec(
            c,
            "for i in $(seq 1 120); do curl -sf http://127.0.0.1:8080/health && exit 0; sleep 1;"
                + " done; systemctl status chainboot; journalctl -u chainboot; exit 1"));
    assertThat(ok(podman.exec(c, "systemctl is-enabled chainboot; systemctl is-active chainboot")))
        .isEqualTo("enabled\nactive\n");
    assertThat(ok(podman.exec(c, "curl -sf tftp://127.0.0.1/chain.ipxe")))
        .as("TFTP on port 69 (privileged)")
        .startsWith("#!ipxe");
    String status =
        ok(
            podman.exec(
                c,
                "pid=$(systemctl show -p MainPID --value chainboot); grep -E"
                    + " '^(Name|Uid|CapEff|CapAmb|NoNewPrivs):' /proc/$pid/status"));
    Matcher uid = Pattern.compile("Uid:\\s+(\\d+)").matcher(status);
    assertThat(uid.find()).isTrue();
    assertThat(Integer.parseInt(uid.group(1))).as("a dynamic user").isBetween(61184, 65519);
    assertThat(status)
        .containsPattern("CapEff:\\s+0000000000000400")
        .containsPattern("CapAmb:\\s+0000000000000400")
        .containsPattern("NoNewPrivs:\\s+1")
        .contains("java");
    Processes.Output security =
        podman.exec(c, "systemd-analyze security --no-pager chainboot.service");
    assertThat(exposure(security.stdout())).as("systemd 257's rating").isLessThanOrEqualTo(2.0);
    assertThat(ok(podman.exec(c, "readlink /var/lib/chainboot; ls /var/lib/private/chainboot")))
        .contains("private/chainboot")
        .contains("chainboot.db");
    // SIGTERM: the JVM's exit 143 counts as success
    ok(podman.exec(c, "systemctl stop chainboot"));
    assertThat(podman.exec(c, "systemctl is-failed chainboot").stdout().strip())
        .isEqualTo("inactive");
    assertThat(ok(podman.exec(c, "journalctl -u chainboot --no-pager")))
        .contains("ready")
        .contains("shutting down");
    podman.podman("rm", "-f", c);
  }

  @Test
  @Order(5)
  void theContainerImageServesHealthABootScriptAndTftpAsANonRootUser() throws Exception {
    podman();
    String image =
        packageCmd("oci", "BASE", Podman.BASE_IMAGE, "IMAGE", "localhost/chainboot:test")
            .lines()
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(image).isEqualTo("localhost/chainboot:test");
    assertThat(
            podman.podman(
                "image", "inspect", "--format", "{{.Config.User}} {{.Config.Volumes}}", image))
        .contains("chainboot")
        .contains("/var/lib/chainboot");
    String c = podman.podman("run", "-d", "--network", "none", image);
    ok(
        podman.exec(
            c,
            "for i in $(seq 1 120); do curl -sf http://127.0.0.1:8080/health && exit 0; sleep 1;"
                + " done; exit 1"));
    assertThat(ok(podman.exec(c, "grep '^Uid:' /proc/1/status; id -un")))
        .doesNotContain("\t0\t")
        .contains("chainboot");
    ok(podman.exec(c, "chainboot profile add p --chain http://example.invalid/p.ipxe"));
    ok(podman.exec(c, "chainboot boot default p"));
    assertThat(
            ok(podman.exec(c, "curl -sf 'http://127.0.0.1:8080/boot.ipxe?mac=52:54:00:00:00:02'")))
        .contains("chain --autofree http://example.invalid/p.ipxe");
    assertThat(ok(podman.exec(c, "curl -sf tftp://127.0.0.1:6969/chain.ipxe")))
        .startsWith("#!ipxe");
    podman.podman("stop", "-t", "20", c);
    assertThat(podman.podman("inspect", "--format", "{{.State.ExitCode}}", c)).isIn("0", "143");
    podman.podman("rm", "-f", c);
  }
}
