package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.testing.FakeIpxeTree;
import dev.chainboot.tls.CaFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chainboot ipxe build --trust-ca} and {@code chainboot media ... --trust-ca} against the
 * fake iPXE tree built with the real toolchain (make, gcc, openssl fingerprinting each {@code
 * TRUST=} file as iPXE's make does): the CA of {@code ca init} (or a given file) reaches {@code
 * TRUST=}/{@code CERT=}, media carry the built binaries instead of Debian's, and whatever is
 * missing (a prepared tree, the CA) is a clear error with no file written.
 */
class TrustCaCommandTest {

  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  static synchronized Result cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.commandLine().execute(args);
      return new Result(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** openssl's SHA-256 fingerprint text of the first certificate in {@code pemFile}. */
  static String fingerprint(Path pemFile) throws Exception {
    byte[] der =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pemFile)))
            .getEncoded();
    return HexFormat.ofDelimiter(":")
        .withUpperCase()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
  }

  Path dataWithCa() throws Exception {
    Path data = tmp.resolve("data");
    Result r = cli("ca", "init", "--data", data.toString(), "--address", "10.0.2.2");
    assertThat(r.exit()).as(r.err()).isZero();
    return data;
  }

  void prepare(Path data, IpxePlatform... ps) throws Exception {
    IpxeBuilds.at(data).prepare(FakeIpxeTree.copyTo(tmp.resolve("ipxe")), Set.of(ps), l -> {});
  }

  static String text(Path f) throws Exception {
    return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
  }

  @Test
  void ipxeBuildTrustsTheCaOfCaInitOrAGivenFile() throws Exception {
    Path data = dataWithCa();
    prepare(data, IpxePlatform.PCBIOS, IpxePlatform.X86_64_EFI);
    String ca = fingerprint(new CaFiles(data).caCert());

    Path lkrn = tmp.resolve("trusting.lkrn");
    Result r = cli("ipxe", "build", "--trust-ca", "--data", data.toString(), "-o", lkrn.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(text(lkrn))
        .startsWith("FAKE-IPXE 9.8.7 bin/ipxe.lkrn")
        .contains("TRUST " + ca, "CERT subject=CN = chainboot private CA");
    assertThat(r.err())
        .contains("wrote " + lkrn, "trusts the CA", ca.replace(":", "").toLowerCase());

    String other = FakeIpxeTree.selfSignedCa(tmp.resolve("other"), "another CA");
    Path snp = tmp.resolve("snp.efi");
    r =
        cli(
            "ipxe",
            "build",
            "--platform",
            "x86_64-efi",
            "--target",
            "snponly.efi",
            "--trust-ca=" + tmp.resolve("other/ca.pem"),
            "--data",
            data.toString(),
            "-o",
            snp.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(text(snp))
        .startsWith("FAKE-IPXE 9.8.7 bin-x86_64-efi/snponly.efi")
        .contains("TRUST " + fingerprint(tmp.resolve("other/ca.pem")))
        .doesNotContain(ca);
    assertThat(other).contains("BEGIN CERTIFICATE");

    // without --trust-ca: iPXE's default root, no TRUST= at all
    Path plain = tmp.resolve("plain.lkrn");
    r = cli("ipxe", "build", "--data", data.toString(), "-o", plain.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(text(plain)).startsWith("FAKE-IPXE").doesNotContain("TRUST ");

    r = cli("ipxe", "build", "--target", "snponly.efi", "--data", data.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--target for pcbios is one of ipxe.lkrn");
  }

  @Test
  void mediaWithTrustCaCarryTheBuiltBinariesInsteadOfDebians() throws Exception {
    Path data = dataWithCa();
    prepare(data, IpxePlatform.PCBIOS, IpxePlatform.X86_64_EFI);
    String ca = fingerprint(new CaFiles(data).caCert());

    Path iso = tmp.resolve("t.iso");
    // --trust-ca without FILE before the URL: the URL is the URL, the CA the default one
    Result r =
        cli(
            "media",
            "iso",
            "--trust-ca",
            "https://10.0.2.2:8443/boot.ipxe",
            "--data",
            data.toString(),
            "-o",
            iso.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("iPXE built to trust the CA").doesNotContain("note:");
    String image = text(iso);
    assertThat(image)
        .contains(
            "FAKE-IPXE 9.8.7 bin/ipxe.lkrn",
            "FAKE-IPXE 9.8.7 bin-x86_64-efi/ipxe.efi",
            "TRUST " + ca,
            "chain https://10.0.2.2:8443/boot.ipxe");

    Path esp = tmp.resolve("t.esp");
    r =
        cli(
            "media",
            "esp",
            "http://10.0.2.2/boot.ipxe",
            "--trust-ca",
            "--data",
            data.toString(),
            "-o",
            esp.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(text(esp))
        .contains("FAKE-IPXE 9.8.7 bin-x86_64-efi/ipxe.efi", "TRUST " + ca)
        .doesNotContain("bin/ipxe.lkrn");

    // without the flag: Debian's prebuilt binaries, as before
    Path stock = tmp.resolve("stock.iso");
    r = cli("media", "iso", "http://10.0.2.2/boot.ipxe", "-o", stock.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(text(stock)).doesNotContain("FAKE-IPXE");

    // media lkrn: the URL built in and the CA trusted
    Path lkrn = tmp.resolve("m.lkrn");
    r =
        cli(
            "media",
            "lkrn",
            "https://10.0.2.2:8443/boot.ipxe",
            "--trust-ca",
            "--data",
            data.toString(),
            "-o",
            lkrn.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(text(lkrn)).contains("chain https://10.0.2.2:8443/boot.ipxe", "TRUST " + ca);
    r =
        cli(
            "media",
            "lkrn",
            "http://x/",
            "--trust-ca",
            "--trust",
            tmp.resolve("x").toString(),
            "--data",
            data.toString(),
            "-o",
            tmp.resolve("no.lkrn").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--trust-ca or --trust/--cert, not both");
  }

  @Test
  void withoutATreeOrACaTheErrorNamesWhatIsMissingAndNothingIsWritten() throws Exception {
    Path empty = tmp.resolve("empty");
    Path out = tmp.resolve("none.iso");
    Result r = cli("ipxe", "build", "--trust-ca", "--data", empty.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no CA certificate at", "chainboot ca init --data " + empty);

    Path data = dataWithCa();
    r =
        cli(
            "media",
            "iso",
            "http://10.0.2.2/boot.ipxe",
            "--trust-ca",
            "--data",
            data.toString(),
            "-o",
            out.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "--trust-ca needs iPXE built from source",
            "trust only iPXE's own root CA",
            "chainboot ipxe prepare --source DIR --platform pcbios");
    assertThat(out).doesNotExist();

    r = cli("ipxe", "build", "--trust-ca", "--data", data.toString(), "-o", out.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("not prepared", "chainboot ipxe prepare");
    assertThat(out).doesNotExist();

    Files.writeString(
        tmp.resolve("garbage.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    r =
        cli(
            "ipxe",
            "build",
            "--trust-ca=" + tmp.resolve("garbage.pem"),
            "--data",
            data.toString(),
            "-o",
            out.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--trust-ca: " + tmp.resolve("garbage.pem"));
    assertThat(out).doesNotExist();

    r = cli("--server", "http://127.0.0.1:1", "media", "iso", "http://x/", "--trust-ca");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("does not go with --server");
  }
}
