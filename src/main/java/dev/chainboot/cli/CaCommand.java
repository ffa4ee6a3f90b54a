package dev.chainboot.cli;

import dev.chainboot.tls.CaFiles;
import dev.chainboot.tls.CertificateAuthority;
import dev.chainboot.tls.Pem;
import dev.chainboot.tls.TlsMaterial;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chainboot ca init|renew|show}: a private RSA certificate authority in {@code DATA/tls/}
 * and the server certificate {@code serve --https} uses by default.
 */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description =
        "A private CA for HTTPS: init makes the CA and a server certificate in DATA/tls/,"
            + " renew issues a new server certificate from the same CA, show prints them.",
    subcommands = {CaCommand.Init.class, CaCommand.Renew.class, CaCommand.Show.class})
public final class CaCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options every subcommand has. */
  static class Common {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Data directory (default: ${DEFAULT-VALUE}, the same as serve).")
    Path data = Path.of("chainboot-data");
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Make the private CA (unless it exists) and a server certificate for these names and"
              + " addresses (default: this host's name and IPv4 addresses).")
  static final class Init extends Common implements Callable<Integer> {
    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "DNS name clients use for this server (repeatable).")
    List<String> names = new ArrayList<>();

    @Option(
        names = "--address",
        paramLabel = "IP",
        description = "IP address clients use for this server (repeatable).")
    List<String> addresses = new ArrayList<>();

    @Option(
        names = "--days",
        description = "Validity of the server certificate in days (default: ${DEFAULT-VALUE}).")
    int days = 397;

    @Option(
        names = "--force",
        description =
            "Replace an existing CA too (every machine must then trust the new fingerprint).")
    boolean force;

    @Override
    public Integer call() {
      try {
        List<String> n = new ArrayList<>(names);
        List<InetAddress> a = new ArrayList<>();
        for (String s : addresses) {
          a.add(address(s));
        }
        if (n.isEmpty() && a.isEmpty()) {
          n.add(InetAddress.getLocalHost().getHostName());
          a.addAll(localAddresses());
        }
        for (String name : n) {
          if (!name.matches("[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})")) {
            throw new IllegalArgumentException("not a DNS name: " + name);
          }
        }
        CaFiles ca = new CaFiles(data);
        CaFiles.Issued i = ca.init(n, a, days(days), force, Instant.now());
        print(ca, i);
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("chainboot ca init: " + e.getMessage());
        return 2;
      } catch (IOException | Pem.PemException e) {
        System.err.println("chainboot ca init: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "renew",
      mixinStandardHelpOptions = true,
      description =
          "Issue a new server key and certificate for the same names and addresses from the same"
              + " CA (firmware keeps trusting it); restart serve to use it.")
  static final class Renew extends Common implements Callable<Integer> {
    @Option(
        names = "--days",
        description = "Validity of the server certificate in days (default: ${DEFAULT-VALUE}).")
    int days = 397;

    @Override
    public Integer call() {
      CaFiles ca = new CaFiles(data);
      try {
        if (!Files.exists(ca.caKey()) || !Files.exists(ca.serverCert())) {
          System.err.println(
              "chainboot ca renew: no CA in " + ca.dir() + " (make one with chainboot ca init)");
          return 1;
        }
        print(ca, ca.renew(days(days), Instant.now()));
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("chainboot ca renew: " + e.getMessage());
        return 2;
      } catch (IOException | Pem.PemException e) {
        System.err.println("chainboot ca renew: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print the CA's fingerprint and the server certificate's names and dates.")
  static final class Show extends Common implements Callable<Integer> {
    @Override
    public Integer call() {
      CaFiles ca = new CaFiles(data);
      try {
        TlsMaterial m =
            TlsMaterial.load(ca.serverCert(), ca.serverKey(), java.util.Optional.of(ca.caCert()));
        describe(m.chain().getFirst(), m.trusted().getFirst());
        for (String w : m.warnings(Instant.now())) {
          System.out.println("warning: " + w);
        }
        return 0;
      } catch (Pem.PemException e) {
        System.err.println("chainboot ca show: " + e.getMessage());
        return 1;
      }
    }
  }

  static Duration days(int days) {
    if (days < 1 || days > 3650) {
      throw new IllegalArgumentException("--days must be 1-3650, not " + days);
    }
    return Duration.ofDays(days);
  }

  static InetAddress address(String s) {
    if (!s.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
  }

  static List<InetAddress> localAddresses() throws IOException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp() && !nif.isLoopback()) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            out.add(a);
          }
        }
      }
    }
    return out;
  }

  static void print(CaFiles ca, CaFiles.Issued i) {
    System.out.println(
        (i.newCa() ? "made a new CA: " : "kept the CA: ")
            + ca.caCert()
            + " (key "
            + ca.caKey()
            + ")");
    System.out.println("server certificate: " + ca.serverCert() + " (key " + ca.serverKey() + ")");
    describe(i.server(), i.ca());
    System.out.println(
        "serve with: chainboot serve --data " + ca.dir().getParent() + " --https 0.0.0.0:8443");
  }

  static void describe(X509Certificate server, X509Certificate ca) {
    System.out.println(
        "CA fingerprint (SHA-256, DHCP option 175.90): "
            + TlsMaterial.hex(CertificateAuthority.fingerprint(ca)));
    System.out.println("CA valid until: " + ca.getNotAfter().toInstant());
    List<String> alt = new ArrayList<>();
    try {
      if (server.getSubjectAlternativeNames() != null) {
        for (List<?> san : server.getSubjectAlternativeNames()) {
          alt.add(String.valueOf(san.get(1)));
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      alt.add("(unreadable: " + e.getMessage() + ")");
    }
    System.out.println("server certificate for: " + String.join(", ", alt));
    System.out.println("server certificate valid until: " + server.getNotAfter().toInstant());
  }
}
