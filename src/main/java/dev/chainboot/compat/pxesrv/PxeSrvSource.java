package dev.chainboot.compat.pxesrv;

import dev.chainboot.boot.AssignmentSource;
import dev.chainboot.boot.BootRequest;
import java.util.Optional;

/**
 * A pxe_srv document root as assignments for the boot core, keyed like pxe_srv by the client's IP
 * address: {@code once/<ip>} is a once-assignment (consumed by the fetch that gets it), {@code
 * static/<ip>} a static one, {@code default} the default; each sends the file as it is.
 */
public final class PxeSrvSource implements AssignmentSource {

  private final PxeSrvRoot root;

  public PxeSrvSource(PxeSrvRoot root) {
    this.root = root;
  }

  @Override
  public String name() {
    return "pxesrv";
  }

  @Override
  public Optional<Assigned> once(BootRequest request, boolean consume) {
    return root.once(request.clientIp(), consume).map(s -> assigned("once", s));
  }

  @Override
  public Optional<Assigned> staticFor(BootRequest request) {
    return root.staticFor(request.clientIp()).map(s -> assigned("static", s));
  }

  @Override
  public Optional<Assigned> defaultFor(BootRequest request) {
    return root.defaultScript().map(s -> assigned("default", s));
  }

  private Assigned assigned(String rule, PxeSrvRoot.Script s) {
    return new Assigned(s.content(), "pxe_srv " + rule + " -> " + root.relative(s.file()));
  }
}
