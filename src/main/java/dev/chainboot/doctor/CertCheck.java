package dev.chainboot.doctor;

import dev.chainboot.tls.CertificateAuthority;
import dev.chainboot.tls.TlsMaterial;
import java.net.InetAddress;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a client would accept an HTTPS server's certificate chain the way iPXE checks it: the
 * chain must lead to a CA whose SHA-256 fingerprint the client trusts (DHCP option 175.90, or a CA
 * file the operator names), every certificate must be valid now, the server certificate must name
 * the host of the URL (DNS name or IP address), and its key must be RSA (Debian trixie's iPXE does
 * no ECDSA). Pure.
 */
public final class CertCheck {

  /** Warn when the server certificate ends sooner than this. */
  static final Duration SOON = Duration.ofDays(30);

  private CertCheck() {}

  /**
   * @param problems why the client would refuse the certificate (empty: it accepts it)
   * @param warnings what works now but will not for long
   * @param summary the server certificate in a few words
   */
  public record Result(List<String> problems, List<String> warnings, String summary) {
    public boolean accepted() {
      return problems.isEmpty();
    }
  }

  /**
   * @param chain the chain the server sent, server certificate first
   * @param host the host of the URL the client asked for
   * @param trusted SHA-256 fingerprints of the CAs the client trusts
   * @param now the client's clock
   * @param rsaOnly the client needs an RSA server key (iPXE before 2.0)
   */
  public static Result check(
      List<X509Certificate> chain,
      String host,
      Collection<byte[]> trusted,
      Instant now,
      boolean rsaOnly) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (chain.isEmpty()) {
      return new Result(List.of("the server sent no certificate"), List.of(), "no certificate");
    }
    X509Certificate leaf = chain.getFirst();
    String summary =
        leaf.getSubjectX500Principal().getName()
            + " issued by "
            + leaf.getIssuerX500Principal().getName()
            + ", "
            + leaf.getPublicKey().getAlgorithm()
            + ", until "
            + leaf.getNotAfter().toInstant();
    // the first certificate of the chain that the client trusts ends the chain
    int anchor = -1;
    for (int i = 0; i < chain.size() && anchor < 0; i++) {
      byte[] fp = CertificateAuthority.fingerprint(chain.get(i));
      for (byte[] t : trusted) {
        if (Arrays.equals(fp, t)) {
          anchor = i;
          break;
        }
      }
    }
    if (trusted.isEmpty()) {
      problems.add(
          "the client is told to trust no CA (no DHCP option 175.90 and no --ca), so it refuses"
              + " this private certificate");
    } else if (anchor < 0) {
      problems.add(
          "the certificate is not from a CA the client trusts: the chain is "
              + chainText(chain)
              + ", the client trusts SHA-256 "
              + trusted.stream().map(TlsMaterial::hex).toList());
    } else if (anchor > 0) {
      String invalid = pathProblem(chain.subList(0, anchor), chain.get(anchor), now);
      if (!invalid.isEmpty()) {
        problems.add("the chain does not verify: " + invalid);
      }
    }
    for (int i = 0; i < chain.size() && i <= Math.max(anchor, 0); i++) {
      X509Certificate c = chain.get(i);
      String who = i == 0 ? "the server certificate" : "CA " + c.getSubjectX500Principal();
      if (now.isBefore(c.getNotBefore().toInstant())) {
        problems.add(
            who
                + " is not valid before "
                + c.getNotBefore().toInstant()
                + " (or the client's clock is behind: iPXE's ntp fixes that)");
      } else if (now.isAfter(c.getNotAfter().toInstant())) {
        problems.add(who + " expired on " + c.getNotAfter().toInstant());
      } else if (i == 0 && now.plus(SOON).isAfter(c.getNotAfter().toInstant())) {
        warnings.add(who + " expires on " + c.getNotAfter().toInstant());
      }
    }
    if (!names(leaf, host)) {
      problems.add("the server certificate is for " + altNames(leaf) + ", not " + host);
    }
    String alg = leaf.getPublicKey().getAlgorithm().toUpperCase(Locale.ROOT);
    if (rsaOnly && !alg.equals("RSA")) {
      problems.add(
          "the server key is "
              + (alg.equals("EC") ? "ECDSA" : alg)
              + ": Debian trixie's iPXE needs an RSA server certificate");
    }
    return new Result(List.copyOf(problems), List.copyOf(warnings), summary);
  }

  /** Whether {@code c} names {@code host}: an IP address SAN, or a DNS SAN (or CN without SANs). */
  static boolean names(X509Certificate c, String host) {
    boolean ip = host.matches("[0-9.]+") || host.contains(":");
    List<List<?>> sans = sans(c);
    boolean anyDns = false;
    for (List<?> san : sans) {
      int type = (Integer) san.get(0);
      String v = String.valueOf(san.get(1));
      if (type == 7 && ip && sameAddress(v, host)) {
        return true;
      }
      if (type == 2) {
        anyDns = true;
        if (!ip && dnsMatches(v, host)) {
          return true;
        }
      }
    }
    if (!ip && !anyDns) {
      String cn = commonName(c);
      return cn != null && dnsMatches(cn, host);
    }
    return false;
  }

  private static boolean sameAddress(String a, String b) {
    String x = b.replaceAll("^\\[|]$", "");
    if (!a.matches("[0-9a-fA-F.:]+") || !x.matches("[0-9a-fA-F.:]+")) {
      return false; // literals only: never a name lookup
    }
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(x));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (p.startsWith("*.")) {
      int dot = h.indexOf('.');
      return dot > 0 && h.substring(dot).equals(p.substring(1));
    }
    return p.equals(h);
  }

  private static String commonName(X509Certificate c) {
    for (String part : c.getSubjectX500Principal().getName().split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return null;
  }

  private static List<List<?>> sans(X509Certificate c) {
    try {
      Collection<List<?>> s = c.getSubjectAlternativeNames();
      return s == null ? List.of() : List.copyOf(s);
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static List<String> altNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    for (List<?> san : sans(c)) {
      int type = (Integer) san.get(0);
      if (type == 2 || type == 7) {
        out.add(String.valueOf(san.get(1)));
      }
    }
    if (out.isEmpty()) {
      String cn = commonName(c);
      out.add(cn == null ? "no name" : "CN " + cn);
    }
    return out;
  }

  private static String chainText(List<X509Certificate> chain) {
    List<String> parts = new ArrayList<>();
    for (X509Certificate c : chain) {
      parts.add(
          "'"
              + c.getSubjectX500Principal().getName()
              + "' (issuer '"
              + c.getIssuerX500Principal().getName()
              + "')");
    }
    return String.join(" <- ", parts);
  }

  /** Why {@code path} (server certificate first) does not verify up to {@code anchor}, or "". */
  private static String pathProblem(
      List<X509Certificate> path, X509Certificate anchor, Instant now) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(path), params);
      return "";
    } catch (java.security.cert.CertPathValidatorException e) {
      String m = String.valueOf(e.getMessage());
      // dates are reported on their own, with the certificate they concern
      return m.toLowerCase(Locale.ROOT).contains("validity") ? "" : m;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return e.toString();
    }
  }
}
