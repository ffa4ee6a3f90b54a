package dev.chainboot.cli;

import dev.chainboot.config.ConfigFile;
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.tls.CaFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --trust-ca[=FILE]}: an iPXE built from the prepared tree that trusts a private CA (by
 * default the one {@code chainboot ca init} made in {@code DATA/tls/ca.crt}) beside the public
 * roots of {@code DATA/chainboot.yaml} ({@code ipxe.public-roots}; default ISRG Root X1/X2 from the
 * host), by {@link BuildSpec#trustingCa}. Shared by {@code ipxe build} and {@code media}.
 */
final class TrustCaOption {

  @Option(
      names = "--trust-ca",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "FILE",
      description =
          "Use an iPXE built from the prepared source tree (chainboot ipxe prepare) that trusts"
              + " this CA (TRUST=, CERT=; default DATA/tls/ca.crt from `chainboot ca init`) and"
              + " the public roots (ipxe.public-roots in DATA/chainboot.yaml), so https works"
              + " without DHCP option 175.90. Write --trust-ca=FILE before a URL.")
  String value;

  /** Whether the option was given. */
  boolean given() {
    return value != null;
  }

  /**
   * picocli gives {@code --trust-ca URL} (no FILE, then the URL) to this option: hands such a URL
   * back as the positional URL when there is none, and takes the default CA.
   *
   * @return the URL to use
   */
  String takeBackUrl(String url) {
    if (url == null && value != null && value.contains("://")) {
      String u = value;
      value = "";
      return u;
    }
    return url;
  }

  /** The CA file: {@code FILE}, or {@code DATA/tls/ca.crt}. */
  Path caFile(Path data) {
    return value == null || value.isEmpty() ? new CaFiles(data).caCert() : Path.of(value);
  }

  /**
   * {@code spec} trusting the CA and the public roots.
   *
   * @throws IllegalArgumentException naming the file and what to do, when the CA cannot be read
   */
  BuildSpec apply(BuildSpec spec, Path data) {
    Path file = caFile(data);
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "--trust-ca: no CA certificate at "
              + file
              + (value == null || value.isEmpty()
                  ? " (make the private CA with `chainboot ca init --data "
                      + data
                      + "`, or give --trust-ca=FILE)"
                  : ""));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "--trust-ca: cannot read " + file + ": " + e.getMessage(), e);
    }
    List<String> roots = publicRoots(data);
    try {
      return spec.trustingCa(List.of(pem), roots);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--trust-ca: " + file + ": " + e.getMessage(), e);
    }
  }

  /** The public roots of {@code DATA/chainboot.yaml} (its default when there is none). */
  static List<String> publicRoots(Path data) {
    return ConfigFile.load(data.resolve("chainboot.yaml")).ipxe().publicRoots();
  }

  /** The CA's SHA-256 fingerprint for messages, if the file is readable. */
  Optional<String> fingerprint(Path data) {
    try {
      BuildSpec s =
          BuildSpec.plain(dev.chainboot.ipxebuild.IpxePlatform.PCBIOS, "ipxe.lkrn")
              .trustingCa(
                  List.of(Files.readString(caFile(data), StandardCharsets.US_ASCII)), List.of());
      return Optional.of(s.trustFingerprints().getFirst());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
