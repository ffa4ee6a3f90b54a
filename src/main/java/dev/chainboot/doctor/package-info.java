/**
 * {@code chainboot doctor}: plays each client type (BIOS PXE, UEFI PXE x64/arm64, UEFI HTTP boot,
 * iPXE) against a running server through DHCP, TFTP and HTTP(S) as that firmware would, and says
 * per step what the machine would get and what is wrong. The checks on what came back ({@link
 * dev.chainboot.doctor.BootImage}, {@link dev.chainboot.doctor.CertCheck}, {@link
 * dev.chainboot.doctor.ScriptLinks}) are pure; the probes reuse the DHCP and TFTP codecs. May
 * import: {@code dhcp}, {@code tftp}, {@code firmware}, {@code boot}, {@code ipxe}, {@code tls},
 * {@code text}.
 */
package dev.chainboot.doctor;
