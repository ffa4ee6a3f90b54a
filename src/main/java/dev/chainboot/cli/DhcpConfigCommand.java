package dev.chainboot.cli;

import dev.chainboot.dhcp.DhcpConfigGenerator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chainboot dhcp-config}: prints DHCP server configuration that boots through chainboot. */
@Command(
    name = "dhcp-config",
    mixinStandardHelpOptions = true,
    description =
        "Print a DHCP server configuration snippet (ISC dhcpd, dnsmasq or Kea) that boots "
            + "machines through chainboot, for those who keep their own DHCP server instead of --proxy-dhcp.")
public final class DhcpConfigCommand implements Callable<Integer> {

  @Option(
      names = "--format",
      required = true,
      paramLabel = "isc|dnsmasq|kea",
      description = "Which DHCP server: ${COMPLETION-CANDIDATES}.")
  DhcpConfigGenerator.Format format;

  @Option(
      names = "--server",
      required = true,
      paramLabel = "ADDR",
      description =
          "chainboot's IPv4 address as the clients reach it (TFTP next-server and HTTP host).")
  String server;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "chainboot's HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort = 8080;

  @Option(
      names = "--efi-binary",
      paramLabel = "NAME",
      description = "iPXE binary for x86_64 UEFI: snponly.efi (default) or ipxe.efi.")
  String efiBinary = "snponly.efi";

  @Option(
      names = "--trust-ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate (e.g. DATA/tls/ca.crt from chainboot ca init) that firmware-started"
              + " iPXE is told to trust for HTTPS (option 175.90, force-sent).")
  java.nio.file.Path trustCa;

  @Override
  public Integer call() {
    try {
      DhcpConfigGenerator g =
          new DhcpConfigGenerator(server, httpPort, ServeCommand.efiBinary(efiBinary));
      if (trustCa != null) {
        java.util.List<java.security.cert.X509Certificate> certs;
        try {
          certs = dev.chainboot.tls.Pem.certificates(trustCa);
        } catch (dev.chainboot.tls.Pem.PemException e) {
          throw new IllegalArgumentException("--trust-ca " + trustCa + ": " + e.getMessage());
        }
        if (certs.isEmpty()) {
          throw new IllegalArgumentException("--trust-ca " + trustCa + ": no certificate in it");
        }
        g.trusting(dev.chainboot.tls.CertificateAuthority.fingerprint(certs.get(0)));
      }
      System.out.print(g.render(format));
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("chainboot dhcp-config: " + e.getMessage());
      return 2;
    }
  }
}
