package dev.chainboot.boot;

import java.util.Optional;

/**
 * What a machine would boot now, and why: the boot core's decision and script for a request, taken
 * without consuming a once-assignment, recording an event or registering the machine.
 *
 * @param mac the machine, if the request named or was matched to one
 * @param known whether the store knows the machine (an unknown one would be registered by a boot)
 * @param match the rule that decides
 * @param reason why, in words (the same as the boot event would say)
 * @param profile the profile it would boot, if any
 * @param onceWouldBeConsumed whether a real boot now would consume a once-assignment
 * @param script the iPXE script it would get
 */
public record Preview(
    Optional<MacAddress> mac,
    boolean known,
    BootEvent.Match match,
    String reason,
    Optional<String> profile,
    boolean onceWouldBeConsumed,
    String script) {}
