package dev.chainboot.ipxebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.testing.FakeIpxeTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build workspace with the real toolchain (make, gcc, openssl) on a tiny fake iPXE tree that
 * keeps iPXE's interface ({@link FakeIpxeTree}): prepare once, relink per script, the content-hash
 * cache, one build per tree at a time, identical requests built once, bounded queue, time and cache
 * size, and clear failures.
 */
class IpxeBuildsTest {

  @TempDir Path tmp;
  Path source;
  Path data;

  @BeforeEach
  void setUp() throws Exception {
    source = FakeIpxeTree.copyTo(tmp.resolve("ipxe-src"));
    data = tmp.resolve("data");
  }

  IpxeBuilds builds(IpxeBuilds.Settings s) {
    return new IpxeBuilds(IpxeBuilds.root(data), s, Toolchain.system(), "amd64");
  }

  IpxeBuilds prepared(IpxeBuilds.Settings s, IpxePlatform... ps) throws Exception {
    IpxeBuilds b = builds(s);
    b.prepare(source, Set.of(ps), line -> {});
    return b;
  }

  static BuildSpec lkrn(String script) {
    return BuildSpec.embedding(IpxePlatform.PCBIOS, "ipxe.lkrn", script);
  }

  long count(IpxePlatform p, String file) throws Exception {
    Path f = IpxeBuilds.root(data).resolve("trees").resolve(p.id()).resolve("src");
    f = f.resolve(p.binDir()).resolve(file);
    return Files.exists(f) ? Files.readAllLines(f).size() : 0;
  }

  @Test
  void prepareCompilesOnceThenEveryScriptIsARelinkAndRepeatsComeFromTheCache() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    Path tree = IpxeBuilds.root(data).resolve("trees/pcbios/src");
    assertThat(Files.readString(tree.resolve("config/local/general.h")))
        .contains("#define DOWNLOAD_PROTO_HTTPS", "#define NTP_CMD");
    assertThat(b.firmware(IpxePlatform.PCBIOS, "ipxe.lkrn")).isPresent();
    assertThat(b.prepared(IpxePlatform.PCBIOS).orElseThrow().version()).isEqualTo("9.8.7");
    assertThat(b.status()).containsOnlyKeys(IpxePlatform.PCBIOS);
    assertThat(count(IpxePlatform.PCBIOS, ".compiles")).isEqualTo(1);

    IpxeBuilds.Built one = b.build(lkrn("#!ipxe\necho one\n"));
    IpxeBuilds.Built two = b.build(lkrn("#!ipxe\necho two\n"));
    assertThat(one.cached()).isFalse();
    assertThat(new String(one.bytes(), StandardCharsets.UTF_8))
        .startsWith("FAKE-IPXE 9.8.7 bin/ipxe.lkrn")
        .contains("#!ipxe\necho one\n")
        .doesNotContain("echo two");
    assertThat(new String(two.bytes(), StandardCharsets.UTF_8)).contains("echo two");
    assertThat(one.key()).isNotEqualTo(two.key()).hasSize(64);
    // Relinks, not compiles: the warm tree's objects are reused.
    assertThat(count(IpxePlatform.PCBIOS, ".compiles")).isEqualTo(1);
    long links = count(IpxePlatform.PCBIOS, ".links");

    IpxeBuilds.Built again = b.build(lkrn("#!ipxe\necho one\n"));
    assertThat(again.cached()).isTrue();
    assertThat(again.bytes()).isEqualTo(one.bytes());
    assertThat(again.key()).isEqualTo(one.key());
    assertThat(count(IpxePlatform.PCBIOS, ".links")).isEqualTo(links);
    assertThat(again.took()).isLessThan(Duration.ofMillis(50));
    // A fresh workspace object (another process, a restart) finds the same cache.
    assertThat(builds(IpxeBuilds.Settings.DEFAULTS).cached(lkrn("#!ipxe\necho one\n")))
        .hasValueSatisfying(x -> assertThat(x.bytes()).isEqualTo(one.bytes()));
  }

  @Test
  void scriptsAreWrittenIntoTheSlotOfOneTemplateBuildInsteadOfRelinked() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.X86_64_EFI);
    // prepare made the slots: each target's build, then one relink with the placeholder.
    assertThat(IpxeBuilds.root(data).resolve("trees/x86_64-efi/slot")).isNotEmptyDirectory();
    long afterFirst = count(IpxePlatform.X86_64_EFI, ".links");
    IpxeBuilds.Built one =
        b.build(BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "#!ipxe\necho one\n"));
    assertThat(count(IpxePlatform.X86_64_EFI, ".links")).isEqualTo(afterFirst);
    IpxeBuilds.Built two =
        b.build(BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "#!ipxe\necho two\n"));
    assertThat(count(IpxePlatform.X86_64_EFI, ".links")).isEqualTo(afterFirst);
    String text = new String(two.bytes(), StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("FAKE-IPXE 9.8.7 bin-x86_64-efi/ipxe.efi")
        .contains("EMBED chainboot.ipxe\n#!ipxe\necho two\n\n\n")
        .doesNotContain("echo one")
        .doesNotContain("chainboot-script-slot");
    // Same length: the embedded image is the slot, whatever the script's size.
    assertThat(two.size()).isEqualTo(one.size());
    // Another process finds the slot on disk and makes no template again.
    IpxeBuilds other = builds(IpxeBuilds.Settings.DEFAULTS);
    other.build(BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "#!ipxe\necho 3\n"));
    assertThat(count(IpxePlatform.X86_64_EFI, ".links")).isEqualTo(afterFirst);
    // What is not an iPXE script is relinked.
    b.build(BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "echo not a script\n"));
    assertThat(count(IpxePlatform.X86_64_EFI, ".links")).isEqualTo(afterFirst + 1);
    // A script larger than the slot is relinked too, and comes out whole.
    String big = "#!ipxe\n" + "echo x\n".repeat(ScriptSlot.CAPACITY / 7);
    IpxeBuilds.Built large = b.build(BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", big));
    assertThat(count(IpxePlatform.X86_64_EFI, ".links")).isEqualTo(afterFirst + 2);
    assertThat(new String(large.bytes(), StandardCharsets.UTF_8)).contains(big);
    // Certificates are compiled in: a set of them gets its own slot (one template), with them.
    String ca = FakeIpxeTree.selfSignedCa(tmp.resolve("ca"), "chainboot test CA");
    b.build(
        BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "#!ipxe\necho t1\n")
            .withCertificates(List.of(ca), List.of()));
    IpxeBuilds.Built t2 =
        b.build(
            BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "#!ipxe\necho t2\n")
                .withCertificates(List.of(ca), List.of()));
    assertThat(count(IpxePlatform.X86_64_EFI, ".links")).isEqualTo(afterFirst + 3);
    assertThat(new String(t2.bytes(), StandardCharsets.UTF_8))
        .contains("TRUST ", "echo t2")
        .doesNotContain("echo t1");
  }

  @Test
  void aTemplateThatDoesNotComeOutAsExpectedMeansRelinks() throws Exception {
    // The fake tree has no util/zbin32 (iPXE's compressor): no lkrn slot, each script relinks.
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    long links = count(IpxePlatform.PCBIOS, ".links");
    b.build(lkrn("#!ipxe\necho one\n"));
    b.build(lkrn("#!ipxe\necho two\n"));
    assertThat(count(IpxePlatform.PCBIOS, ".links")).isEqualTo(links + 2);
  }

  @Test
  void aTreePreparedWithOtherMakeArgumentsIsNotCurrent() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    assertThat(b.prepared(IpxePlatform.PCBIOS).orElseThrow().current()).isTrue();
    // arm32-efi is built without ldrd/strd pairing (iPXE's tcp_rx faulted on unaligned data);
    // a tree prepared by a chainboot that did not pass that, or passed something else, is stale.
    assertThat(IpxePlatform.ARM32_EFI.makeArgs()).containsExactly("EXTRA_CFLAGS=-fno-peephole2");
    Path props = IpxeBuilds.root(data).resolve("trees/pcbios/prepared.properties");
    Files.writeString(
        props,
        Files.readString(props).replaceAll("(?m)^makeArgs=.*$", "makeArgs=EXTRA_CFLAGS\\=-O0"));
    IpxeBuilds.Prepared stale =
        builds(IpxeBuilds.Settings.DEFAULTS).prepared(IpxePlatform.PCBIOS).orElseThrow();
    assertThat(stale.makeArgs()).containsExactly("EXTRA_CFLAGS=-O0");
    assertThat(stale.current()).isFalse();
  }

  @Test
  void aRepeatedRequestIsAnsweredFromMemoryWithoutReadingTheCacheFile() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    BuildSpec spec = lkrn("#!ipxe\necho hot\n");
    String key = b.key(spec);
    IpxeBuilds.Built built = b.build(spec, key);
    assertThat(built.cached()).isFalse();
    Path file = IpxeBuilds.root(data).resolve("cache").resolve(key + ".lkrn");
    assertThat(file).hasBinaryContent(built.bytes());
    long links = count(IpxePlatform.PCBIOS, ".links");

    // Overwrite the file: this workspace no longer reads it, a fresh one (no memory) does.
    Files.writeString(file, "not what was built");
    IpxeBuilds.Built hot = b.build(spec, key);
    assertThat(hot.cached()).isTrue();
    assertThat(hot.bytes()).isEqualTo(built.bytes());
    assertThat(hot.buffer().remaining()).isEqualTo(built.size());
    assertThat(hot.buffer().isReadOnly()).isTrue();
    assertThat(builds(IpxeBuilds.Settings.DEFAULTS).build(spec).bytes())
        .isEqualTo("not what was built".getBytes(StandardCharsets.UTF_8));
    assertThat(count(IpxePlatform.PCBIOS, ".links")).isEqualTo(links);

    // The bytes handed out are copies: changing them changes nothing cached.
    byte[] mine = hot.bytes();
    mine[0] ^= 1;
    assertThat(b.build(spec).bytes()).isEqualTo(built.bytes());
  }

  @Test
  void trustAndCertAreFingerprintedAndPartOfTheKey() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.X86_64_EFI);
    String ca = FakeIpxeTree.selfSignedCa(tmp.resolve("ca"), "chainboot test CA");
    String other = FakeIpxeTree.selfSignedCa(tmp.resolve("other"), "another CA");
    BuildSpec plain = BuildSpec.embedding(IpxePlatform.X86_64_EFI, "ipxe.efi", "#!ipxe\n");
    BuildSpec trusting = plain.withCertificates(List.of(ca), List.of(ca));
    IpxeBuilds.Built t = b.build(trusting);
    String text = new String(t.bytes(), StandardCharsets.UTF_8);
    assertThat(text).contains("TRUST ", "CERT subject=CN = chainboot test CA");
    assertThat(b.key(trusting)).isNotEqualTo(b.key(plain));
    assertThat(b.key(plain.withCertificates(List.of(other), List.of())))
        .isNotEqualTo(b.key(trusting));
    assertThat(new String(b.build(plain).bytes(), StandardCharsets.UTF_8)).doesNotContain("TRUST ");
    assertThatThrownBy(
            () -> b.build(plain.withCertificates(List.of("not a certificate"), List.of())))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> assertThat(e.kind()).isEqualTo(BuildException.Kind.BAD_INPUT));
  }

  @Test
  void buildsInOneTreeRunOneAtATimeAndIdenticalRequestsShareOneBuild() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    // A second workspace object on the same directory stands for a second process.
    IpxeBuilds b2 = builds(IpxeBuilds.Settings.DEFAULTS);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<IpxeBuilds.Built>> distinct = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int n = i;
        IpxeBuilds w = i % 2 == 0 ? b : b2;
        distinct.add(pool.submit(() -> w.build(lkrn("#!ipxe\necho distinct " + n + "\n"))));
      }
      for (Future<IpxeBuilds.Built> f : distinct) {
        // The fake tree fails any link that overlaps another in the same tree.
        assertThat(f.get(60, TimeUnit.SECONDS).cached()).isFalse();
      }
      long links = count(IpxePlatform.PCBIOS, ".links");
      List<Future<IpxeBuilds.Built>> same = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        same.add(pool.submit((Callable<IpxeBuilds.Built>) () -> b.build(lkrn("#!ipxe\nsame\n"))));
      }
      byte[] first = null;
      for (Future<IpxeBuilds.Built> f : same) {
        byte[] got = f.get(60, TimeUnit.SECONDS).bytes();
        first = first == null ? got : first;
        assertThat(got).isEqualTo(first);
      }
      assertThat(count(IpxePlatform.PCBIOS, ".links")).isEqualTo(links + 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFullQueueIsRefusedAndAHangingMakeIsStoppedInTime() throws Exception {
    IpxeBuilds b =
        prepared(
            IpxeBuilds.Settings.DEFAULTS.withBuildTimeout(Duration.ofSeconds(3)).withMaxQueue(1),
            IpxePlatform.PCBIOS);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      long t0 = System.nanoTime();
      Future<?> slow = pool.submit(() -> b.build(lkrn("#!ipxe\n# FAKE-SLEEP\n")));
      Thread.sleep(500);
      assertThatThrownBy(() -> b.build(lkrn("#!ipxe\necho queued\n")))
          .isInstanceOfSatisfying(
              BuildException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(BuildException.Kind.BUSY);
                assertThat(e.getMessage()).contains("try again");
              });
      assertThatThrownBy(() -> slow.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(BuildException.class)
          .hasMessageContaining("did not finish within 3 s");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    } finally {
      pool.shutdownNow();
    }
    // The tree is usable again at once, and the hung script was not cached.
    assertThat(b.build(lkrn("#!ipxe\necho after\n")).cached()).isFalse();
    assertThat(b.cached(lkrn("#!ipxe\n# FAKE-SLEEP\n"))).isEmpty();
  }

  @Test
  void aFailingMakeIsReportedWithItsOutputAndNothingIsCached() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    assertThatThrownBy(() -> b.build(lkrn("#!ipxe\n# FAKE-FAIL\n")))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(BuildException.Kind.FAILED);
              assertThat(e.getMessage()).contains("make failed (exit 2)", "asks to fail");
            });
    assertThat(b.cached(lkrn("#!ipxe\n# FAKE-FAIL\n"))).isEmpty();
    assertThat(b.build(lkrn("#!ipxe\necho fine\n")).bytes()).isNotEmpty();
  }

  @Test
  void theCacheStaysWithinItsBoundLeastRecentlyUsedFirst() throws Exception {
    IpxeBuilds b =
        prepared(IpxeBuilds.Settings.DEFAULTS.withMaxCacheBytes(300), IpxePlatform.PCBIOS);
    int size = b.build(lkrn("#!ipxe\necho 0\n")).bytes().length;
    assertThat(size).isBetween(50, 150);
    for (int i = 1; i < 8; i++) {
      b.build(lkrn("#!ipxe\necho " + i + "\n"));
      assertThat(b.cacheBytes()).isLessThanOrEqualTo(300);
    }
    assertThat(b.cached(lkrn("#!ipxe\necho 7\n"))).isPresent();
    assertThat(b.cached(lkrn("#!ipxe\necho 0\n"))).isEmpty();
  }

  @Test
  void aChangedSourceTreeChangesEveryKey() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    String before = b.key(lkrn("#!ipxe\n"));
    Files.writeString(source.resolve("src/fake.c"), "int changed(void) { return 3; }\n");
    b.prepare(source, Set.of(IpxePlatform.PCBIOS), line -> {});
    assertThat(b.key(lkrn("#!ipxe\n"))).isNotEqualTo(before);
  }

  @Test
  void withoutAPreparedTreeTheErrorNamesTheCommand() {
    IpxeBuilds b = builds(IpxeBuilds.Settings.DEFAULTS);
    assertThatThrownBy(() -> b.build(lkrn("#!ipxe\n")))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(BuildException.Kind.NOT_PREPARED);
              assertThat(e.getMessage())
                  .contains("chainboot ipxe prepare --source DIR --platform pcbios");
            });
    assertThat(b.describe()).contains("none prepared", "chainboot ipxe prepare");
  }

  @Test
  void aFailedPrepareLeavesNoTreeAndNamesTheProblem() throws Exception {
    Files.writeString(source.resolve("src/FAIL_PREPARE"), "x");
    IpxeBuilds b = builds(IpxeBuilds.Settings.DEFAULTS);
    assertThatThrownBy(() -> b.prepare(source, Set.of(IpxePlatform.PCBIOS), l -> {}))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(BuildException.Kind.FAILED);
              assertThat(e.getMessage()).contains("preparing pcbios", "FAIL_PREPARE");
            });
    assertThat(b.prepared(IpxePlatform.PCBIOS)).isEmpty();
    assertThat(IpxeBuilds.root(data).resolve("trees")).isEmptyDirectory();

    assertThatThrownBy(() -> b.prepare(tmp, Set.of(IpxePlatform.PCBIOS), l -> {}))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(BuildException.Kind.BAD_INPUT);
              assertThat(e.getMessage()).contains("is not an iPXE source tree");
            });
  }

  @Test
  void aMissingToolchainIsNamedWithItsDebianPackages() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Toolchain empty = new Toolchain(List.of(bin), List.of(tmp));
    IpxeBuilds b =
        new IpxeBuilds(IpxeBuilds.root(data), IpxeBuilds.Settings.DEFAULTS, empty, "amd64");
    assertThatThrownBy(
            () -> b.prepare(source, Set.of(IpxePlatform.PCBIOS, IpxePlatform.ARM32_EFI), l -> {}))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(BuildException.Kind.TOOLCHAIN);
              assertThat(e.getMessage())
                  .contains(
                      "make (Debian package make)",
                      "lzma.h (Debian package liblzma-dev)",
                      "arm-linux-gnueabihf-gcc (Debian package gcc-arm-linux-gnueabihf)",
                      "apt-get install --no-install-recommends make perl gcc binutils openssl"
                          + " gcc-arm-linux-gnueabihf libc6-dev liblzma-dev");
            });
    // The real machine's toolchain builds the native platforms.
    assertThat(Toolchain.system().missing(Set.of(IpxePlatform.PCBIOS), "amd64")).isEmpty();
    assertThat(IpxePlatform.ARM64_EFI.cross("amd64")).contains("aarch64-linux-gnu-");
    assertThat(IpxePlatform.ARM64_EFI.cross("aarch64")).isEqualTo(Optional.empty());
    assertThat(IpxePlatform.I386_EFI.cross("amd64")).isEmpty();
  }

  /** The SHA-256 fingerprint of a PEM certificate as openssl prints it ({@code AB:CD:...}). */
  static String opensslFingerprint(String pem) throws Exception {
    byte[] der =
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes()))
            .getEncoded();
    return java.util.HexFormat.ofDelimiter(":")
        .withUpperCase()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(der));
  }

  @Test
  void aCaTrustingBuildPassesTheCaAndThePublicRootsAsTrustAndCert() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    String ca = FakeIpxeTree.selfSignedCa(tmp.resolve("ca"), "chainboot private CA");
    String root = FakeIpxeTree.selfSignedCa(tmp.resolve("root"), "a public root");
    BuildSpec spec =
        BuildSpec.plain(IpxePlatform.PCBIOS, "ipxe.lkrn").trustingCa(List.of(ca), List.of(root));
    assertThat(spec.trust()).hasSize(2).isEqualTo(spec.cert());
    assertThat(spec.script()).isEmpty();
    IpxeBuilds.Built built = b.build(spec);
    String text = new String(built.bytes(), StandardCharsets.UTF_8);
    // make got TRUST= with both files (the fake make fingerprints each with openssl, like iPXE's)
    assertThat(text)
        .contains(
            "TRUST " + opensslFingerprint(ca),
            "TRUST " + opensslFingerprint(root),
            "CERT subject=CN = chainboot private CA",
            "CERT subject=CN = a public root");
    assertThat(text.indexOf("TRUST " + opensslFingerprint(ca)))
        .isLessThan(text.indexOf("TRUST " + opensslFingerprint(root)));
    assertThat(spec.trustFingerprints().getFirst())
        .isEqualToIgnoringCase(opensslFingerprint(ca).replace(":", ""));
    assertThat(spec.toString())
        .contains("TRUST=" + spec.trustFingerprints().getFirst().substring(0, 16));
    // A plain build of the same target trusts iPXE's default root: no TRUST= at all.
    assertThat(
            new String(
                b.build(BuildSpec.plain(IpxePlatform.PCBIOS, "ipxe.lkrn")).bytes(),
                StandardCharsets.UTF_8))
        .doesNotContain("TRUST ", "CERT ");
  }

  @Test
  void theCaFingerprintIsPartOfTheKeyAndTheSameCaInAnotherLayoutIsTheSameBuild() throws Exception {
    IpxeBuilds b = prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    String ca = FakeIpxeTree.selfSignedCa(tmp.resolve("ca"), "chainboot private CA");
    String renewed = FakeIpxeTree.selfSignedCa(tmp.resolve("ca2"), "chainboot private CA");
    BuildSpec plain = BuildSpec.plain(IpxePlatform.PCBIOS, "ipxe.lkrn");
    BuildSpec first = plain.trustingCa(List.of(ca), List.of());
    // a new CA with the same name (ca init --force): another fingerprint, another key, a new build
    BuildSpec second = plain.trustingCa(List.of(renewed), List.of());
    assertThat(second.trustFingerprints()).isNotEqualTo(first.trustFingerprints());
    assertThat(b.key(second)).isNotEqualTo(b.key(first));
    assertThat(b.key(first)).isNotEqualTo(b.key(plain));
    IpxeBuilds.Built one = b.build(first);
    IpxeBuilds.Built two = b.build(second);
    assertThat(one.cached()).isFalse();
    assertThat(two.cached()).isFalse();
    assertThat(new String(two.bytes(), StandardCharsets.UTF_8))
        .contains("TRUST " + opensslFingerprint(renewed))
        .doesNotContain(opensslFingerprint(ca));
    // the same CA with CRLF line ends and text around it: the same canonical PEM, the cached build
    String messy = "a comment\r\n" + ca.replace("\n", "\r\n") + "\r\n";
    BuildSpec again = plain.trustingCa(List.of(messy), List.of(ca));
    assertThat(again.trust()).hasSize(1);
    assertThat(b.key(again)).isEqualTo(b.key(first));
    assertThat(b.build(again).cached()).isTrue();
    // a bundle becomes one TRUST= file per certificate (iPXE's make reads only a file's first)
    assertThat(plain.trustingCa(List.of(ca + renewed), List.of()).trust()).hasSize(2);
    assertThatThrownBy(() -> plain.trustingCa(List.of("no certificate here"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate");
    assertThatThrownBy(() -> plain.trustingCa(List.of(), List.of(ca)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no CA certificate");
  }

  @Test
  void aTrustingBuildWithoutOpensslNamesThePackageAndAPlainBuildStillWorks() throws Exception {
    prepared(IpxeBuilds.Settings.DEFAULTS, IpxePlatform.PCBIOS);
    Path bin = Files.createDirectories(tmp.resolve("no-openssl"));
    for (String prog : List.of("make", "gcc", "perl", "ld", "objcopy", "ar", "cc", "as", "sh")) {
      Toolchain.system().which(prog).ifPresent(p -> link(bin.resolve(prog), p));
    }
    IpxeBuilds b =
        new IpxeBuilds(
            IpxeBuilds.root(data),
            IpxeBuilds.Settings.DEFAULTS,
            new Toolchain(List.of(bin), List.of(Path.of("/usr/include"))),
            "amd64");
    String ca = FakeIpxeTree.selfSignedCa(tmp.resolve("ca"), "chainboot private CA");
    assertThatThrownBy(
            () ->
                b.build(
                    BuildSpec.plain(IpxePlatform.PCBIOS, "ipxe.lkrn")
                        .trustingCa(List.of(ca), List.of())))
        .isInstanceOfSatisfying(
            BuildException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(BuildException.Kind.TOOLCHAIN);
              assertThat(e.getMessage()).contains("openssl (Debian package openssl)", "TRUST=");
            });
  }

  private static void link(Path at, Path target) {
    try {
      Files.createSymbolicLink(at, target);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
