package dev.chainboot.ipxebuild;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * One iPXE binary to build from a prepared tree: the platform and target, an optional script to
 * embed ({@code EMBED=}), certificates to trust as roots ({@code TRUST=}) and to embed ({@code
 * CERT=}), each as PEM text.
 *
 * @param platform the tree
 * @param target one of {@link IpxePlatform#targets()}
 * @param script the embedded script (starting with {@code #!ipxe}), or empty for none
 * @param trust PEM certificates iPXE trusts as roots (replacing iPXE's default root); empty for
 *     iPXE's default
 * @param cert PEM certificates embedded in the binary (so a server may send only its leaf)
 */
public record BuildSpec(
    IpxePlatform platform,
    String target,
    Optional<byte[]> script,
    List<String> trust,
    List<String> cert) {

  /** Largest embedded script accepted. */
  public static final int MAX_SCRIPT = 64 * 1024;

  public BuildSpec {
    if (!platform.targets().contains(target)) {
      throw new IllegalArgumentException(
          "iPXE platform " + platform.id() + " has no target " + target);
    }
    script = script.map(byte[]::clone);
    trust = List.copyOf(trust);
    cert = List.copyOf(cert);
  }

  /** A binary with {@code script} embedded and no certificates. */
  public static BuildSpec embedding(IpxePlatform platform, String target, String script) {
    return new BuildSpec(
        platform,
        target,
        Optional.of(script.getBytes(StandardCharsets.UTF_8)),
        List.of(),
        List.of());
  }

  /** The same build trusting {@code trust} and embedding {@code cert}. */
  public BuildSpec withCertificates(List<String> trust, List<String> cert) {
    return new BuildSpec(platform, target, script, trust, cert);
  }

  /** A binary with nothing embedded: iPXE's own DHCP-and-boot behaviour, no certificates. */
  public static BuildSpec plain(IpxePlatform platform, String target) {
    return new BuildSpec(platform, target, Optional.empty(), List.of(), List.of());
  }

  /**
   * The same build trusting a private CA, the one rule for every CA-trusting build ({@code ipxe
   * build --trust-ca}, {@code media --trust-ca}, the images {@code serve --https} builds): iPXE's
   * {@code TRUST=} <em>replaces</em> its default root (the iPXE root CA, through which its
   * cross-signing service reaches public CAs), so the CA alone would lock the binary out of every
   * public https server. {@code TRUST=} therefore lists the CA and {@code publicRoots}, and {@code
   * CERT=} carries the same certificates (iPXE holds only fingerprints of its roots and needs the
   * certificates themselves when a server does not send them, as servers seldom send their root).
   * Each certificate is one canonical PEM (a bundle is split: iPXE's make fingerprints only the
   * first certificate of a file), duplicates once.
   *
   * @param caPems the CA certificate(s) as PEM text (a file's content; bundles allowed)
   * @param publicRoots further roots as PEM text (may be empty)
   * @throws IllegalArgumentException when {@code caPems} holds no certificate or one that cannot be
   *     read
   */
  public BuildSpec trustingCa(List<String> caPems, List<String> publicRoots) {
    List<String> all = caTrust(caPems, publicRoots);
    return withCertificates(all, all);
  }

  /**
   * The certificates a build trusting {@code caPems} lists in both {@code TRUST=} and {@code CERT=}
   * (see {@link #trustingCa}): the CA's, then the public roots, each once as canonical PEM.
   *
   * @throws IllegalArgumentException when {@code caPems} holds no certificate or one that cannot be
   *     read
   */
  public static List<String> caTrust(List<String> caPems, List<String> publicRoots) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    for (String pem : caPems) {
      all.addAll(certificates(pem));
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no CA certificate to trust");
    }
    for (String pem : publicRoots) {
      all.addAll(certificates(pem));
    }
    return List.copyOf(all);
  }

  /**
   * Every certificate in {@code pemText}, each as canonical PEM (64-column base64 of its DER).
   *
   * @throws IllegalArgumentException when the text holds no certificate or an unreadable one
   */
  public static List<String> certificates(String pemText) {
    List<String> out = new ArrayList<>();
    try {
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pemText.getBytes(StandardCharsets.US_ASCII)))) {
        out.add(
            "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    return out;
  }

  /**
   * The SHA-256 fingerprints (hex) of the certificates iPXE trusts ({@code TRUST=}), as iPXE's make
   * computes them for its root list; a PEM that cannot be read gives {@code "unreadable"}.
   */
  public List<String> trustFingerprints() {
    List<String> out = new ArrayList<>();
    for (String pem : trust) {
      out.add(fingerprint(pem));
    }
    return out;
  }

  private static String fingerprint(String pem) {
    try {
      Certificate c =
          CertificateFactory.getInstance("X.509")
              .generateCertificate(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (CertificateException | NoSuchAlgorithmException | RuntimeException e) {
      return "unreadable";
    }
  }

  /** The file name extension of the target ({@code lkrn}, {@code efi}). */
  public String extension() {
    return target.substring(target.lastIndexOf('.') + 1);
  }

  /**
   * The cache key: SHA-256 over the platform, target, the tree's source id and every input, each
   * length-prefixed so that no two different inputs hash alike; the trusted certificates count with
   * their text and their SHA-256 fingerprints, so a new CA (a {@code ca init --force}) always makes
   * new builds.
   */
  public String key(String sourceId) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      field(md, "chainboot-ipxe-build-2".getBytes(StandardCharsets.UTF_8));
      field(md, platform.id().getBytes(StandardCharsets.UTF_8));
      field(md, target.getBytes(StandardCharsets.UTF_8));
      field(md, sourceId.getBytes(StandardCharsets.UTF_8));
      field(md, script.orElse(new byte[0]));
      md.update((byte) (script.isPresent() ? 1 : 0));
      for (List<String> list : List.of(trust, cert)) {
        field(md, Integer.toString(list.size()).getBytes(StandardCharsets.UTF_8));
        for (String pem : list) {
          field(md, pem.getBytes(StandardCharsets.UTF_8));
        }
      }
      for (String fp : trustFingerprints()) {
        field(md, fp.getBytes(StandardCharsets.US_ASCII));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void field(MessageDigest md, byte[] b) {
    md.update(
        HexFormat.of()
            .formatHex(java.nio.ByteBuffer.allocate(8).putLong(b.length).array())
            .getBytes(StandardCharsets.US_ASCII));
    md.update(b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BuildSpec b && b.key("").equals(key(""));
  }

  @Override
  public int hashCode() {
    return key("").hashCode();
  }

  @Override
  public String toString() {
    return platform.id()
        + "/"
        + target
        + (script.isPresent() ? " EMBED=" + script.get().length + "B" : "")
        + (trust.isEmpty()
            ? ""
            : " TRUST="
                + String.join(
                    ",",
                    trustFingerprints().stream()
                        .map(f -> f.substring(0, Math.min(16, f.length())))
                        .toList()))
        + (cert.isEmpty() ? "" : " CERT=" + cert.size());
  }
}
