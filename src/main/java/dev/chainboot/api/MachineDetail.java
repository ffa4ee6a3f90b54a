package dev.chainboot.api;

import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.Machine;
import java.util.Optional;

/**
 * A machine with its assignments, as {@code GET /api/v1/machines/{id}} and {@code chainboot machine
 * show} give it.
 *
 * @param install its install held until done ({@code boot once --until-done}), or how the last one
 *     ended
 */
public record MachineDetail(
    Machine machine,
    Optional<String> once,
    Optional<String> staticProfile,
    Optional<InstallHold> install) {

  public MachineDetail(Machine machine, Optional<String> once, Optional<String> staticProfile) {
    this(machine, once, staticProfile, Optional.empty());
  }
}
