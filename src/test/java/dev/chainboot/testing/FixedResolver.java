package dev.chainboot.testing;

import dev.chainboot.boot.BootAnswer;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real, minimal boot core for tests: always the same script, naming what it was asked. */
public final class FixedResolver implements BootResolver {

  public final List<BootRequest> requests = new CopyOnWriteArrayList<>();

  @Override
  public BootAnswer resolve(BootRequest request, String baseUrl) {
    requests.add(request);
    String mac = request.mac().map(Object::toString).orElse("none");
    return new BootAnswer(
        "#!ipxe\necho core-decision mac="
            + mac
            + " ip="
            + request.clientIp().getHostAddress()
            + " base="
            + baseUrl
            + "\nexit\n",
        "",
        "no match");
  }

  @Override
  public java.util.Optional<BootAnswer> resolveProfile(
      BootRequest request, String profile, String baseUrl) {
    return java.util.Optional.of(resolve(request, baseUrl));
  }

  @Override
  public boolean hasBootFor(BootRequest request) {
    return false;
  }
}
