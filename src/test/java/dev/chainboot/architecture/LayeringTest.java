package dev.chainboot.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, checked on the compiled main classes: a wrong dependency
 * fails the build. Pure utilities ({@code ipxe}, {@code grub}, {@code tls}, {@code text}, {@code
 * fs}) depend on nothing of chainboot's; the boot core on nothing but them; stores and transports
 * on the core, never the other way; Jetty only in {@code http} and the assembly in {@code server}.
 */
class LayeringTest {

  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.chainboot");
  }

  @Test
  void theMainClassesAreThere() {
    // Guards every rule below against passing on an empty import.
    org.assertj.core.api.Assertions.assertThat(main.contain("dev.chainboot.boot.BootCore"))
        .isTrue();
    org.assertj.core.api.Assertions.assertThat(main.size()).isGreaterThan(100);
  }

  @Test
  void pureUtilitiesDependOnNoOtherChainbootPackage() {
    classes()
        .that()
        .resideInAnyPackage(
            "dev.chainboot.ipxe..",
            "dev.chainboot.grub..",
            "dev.chainboot.tls..",
            "dev.chainboot.text..",
            "dev.chainboot.fs..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax.security..",
            "dev.chainboot.ipxe..",
            "dev.chainboot.grub..",
            "dev.chainboot.tls..",
            "dev.chainboot.text..",
            "dev.chainboot.fs..")
        .check(main);
  }

  @Test
  void bootDependsOnlyOnPureUtilities() {
    classes()
        .that()
        .resideInAPackage("dev.chainboot.boot..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "org.slf4j..",
            "com.samskivert.mustache..",
            "dev.chainboot.boot..",
            "dev.chainboot.ipxe..",
            "dev.chainboot.grub..",
            "dev.chainboot.text..",
            "dev.chainboot.fs..")
        .because("the boot core imports no transport, no store implementation, no Jetty, no JDBC")
        .check(main);
  }

  @Test
  void authIsPureAndTheControlPlaneKnowsNoTransport() {
    classes()
        .that()
        .resideInAPackage("dev.chainboot.auth..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.chainboot.auth..", "dev.chainboot.text..")
        .because("tokens, roles and sessions are plain Java; http.Guard applies them to requests")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage("dev.chainboot.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.chainboot.http..", "dev.chainboot.server..", "dev.chainboot.cli..")
        .because("the CLI (local or remote) and the HTTP API share api.Control, not each other")
        .check(main);
  }

  @Test
  void theDoctorIsAClientOfTheCodecsAndOnlyTheCliUsesIt() {
    classes()
        .that()
        .resideInAPackage("dev.chainboot.doctor..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax.net..",
            "javax.security..",
            "dev.chainboot.doctor..",
            "dev.chainboot.dhcp..",
            "dev.chainboot.tftp..",
            "dev.chainboot.firmware..",
            "dev.chainboot.boot..",
            "dev.chainboot.ipxe..",
            "dev.chainboot.tls..",
            "dev.chainboot.text..")
        .because("the doctor plays a client with the pure codecs; it runs no server and no store")
        .check(main);
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.chainboot.doctor..", "dev.chainboot.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.chainboot.doctor..")
        .check(main);
  }

  @Test
  void ipxeBuildsDependOnlyOnPureUtilities() {
    classes()
        .that()
        .resideInAPackage("dev.chainboot.ipxebuild..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "org.slf4j..",
            "dev.chainboot.ipxebuild..",
            "dev.chainboot.text..",
            "dev.chainboot.fs..")
        .because("the build workspace runs make on files; it knows no transport, store or core")
        .check(main);
  }

  @Test
  void jettyOnlyInHttpAndServer() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.chainboot.http..", "dev.chainboot.server..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.eclipse.jetty..")
        .check(main);
  }

  @Test
  void jdbcOnlyInStoresAndTheZeroOsProvisionReader() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.chainboot.store..", "dev.chainboot.compat.zeroos..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "org.jdbi..", "com.zaxxer..", "org.flywaydb..")
        .check(main);
  }

  @Test
  void storeDependsOnBootNeverTheReverse() {
    noClasses()
        .that()
        .resideInAPackage("dev.chainboot.boot..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.chainboot.store..")
        .check(main);
    classes()
        .that()
        .resideInAPackage("dev.chainboot.store..")
        .should()
        .onlyDependOnClassesThat()
        .resideOutsideOfPackages(
            "dev.chainboot.http..",
            "dev.chainboot.server..",
            "dev.chainboot.cli..",
            "dev.chainboot.compat..",
            "dev.chainboot.tftp..",
            "dev.chainboot.dhcp..",
            "dev.chainboot.media..")
        .check(main);
  }

  @Test
  void codecsAndImageWritersAreNotTransportsOrAssembly() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.chainboot.media..",
            "dev.chainboot.compat..",
            "dev.chainboot.tftp..",
            "dev.chainboot.dhcp..",
            "dev.chainboot.firmware..",
            "dev.chainboot.ipxebuild..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.chainboot.http..", "dev.chainboot.server..", "dev.chainboot.cli..")
        .check(main);
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.chainboot.(*)..").should().beFreeOfCycles().check(main);
  }
}
