package dev.chainboot.api;

import dev.chainboot.boot.Machine;
import java.util.Optional;

/**
 * A machine with its assignments, as {@code GET /api/v1/machines/{id}} and {@code chainboot machine
 * show} give it.
 */
public record MachineDetail(
    Machine machine, Optional<String> once, Optional<String> staticProfile) {}
