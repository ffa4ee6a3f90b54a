package dev.chainboot.ipxebuild;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

  /** The file name extension of the target ({@code lkrn}, {@code efi}). */
  public String extension() {
    return target.substring(target.lastIndexOf('.') + 1);
  }

  /**
   * The cache key: SHA-256 over the platform, target, the tree's source id and every input, each
   * length-prefixed so that no two different inputs hash alike.
   */
  public String key(String sourceId) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      field(md, "chainboot-ipxe-build-1".getBytes(StandardCharsets.UTF_8));
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
        + (trust.isEmpty() ? "" : " TRUST=" + trust.size())
        + (cert.isEmpty() ? "" : " CERT=" + cert.size());
  }
}
