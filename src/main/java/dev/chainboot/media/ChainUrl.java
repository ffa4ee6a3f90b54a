package dev.chainboot.media;

import dev.chainboot.ipxe.IpxeSafe;
import java.util.Optional;

/**
 * A URL that iPXE's {@code chain} can fetch and that can be written into an iPXE script verbatim
 * without changing it: any scheme iPXE chains (http, https, tftp, ftp, nfs, iscsi), checked by the
 * one URL rule, {@link IpxeSafe#urlProblem}. Nothing is fetched.
 */
public record ChainUrl(String value, String scheme) {

  /**
   * @throws MediaInputException saying what is wrong and how to write it instead
   */
  public static ChainUrl parse(String url) {
    Optional<String> problem = IpxeSafe.urlProblem(url, IpxeSafe.CHAIN_SCHEMES);
    if (problem.isPresent()) {
      throw new MediaInputException(problem.get());
    }
    return new ChainUrl(url, url.substring(0, url.indexOf(':')).toLowerCase(java.util.Locale.ROOT));
  }

  /** The note to print for https (iPXE trusts only its own root CA unless built otherwise). */
  public Optional<String> note() {
    if (scheme.equals("https")) {
      return Optional.of(
          "note: an https URL works only if the iPXE build trusts the server's "
              + "certificate authority (Debian's iPXE trusts only the iPXE root CA); otherwise use"
              + " http");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return value;
  }
}
