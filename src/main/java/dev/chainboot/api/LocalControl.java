package dev.chainboot.api;

import com.samskivert.mustache.Mustache;
import dev.chainboot.auth.ApiToken;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.TokenStore;
import dev.chainboot.auth.Tokens;
import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.BootResolver;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.InstallHold;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Preview;
import dev.chainboot.boot.Profile;
import dev.chainboot.compat.ImportPlan;
import dev.chainboot.compat.ImportReport;
import dev.chainboot.compat.pixie.PixieImport;
import dev.chainboot.compat.pixie.PixieLayout;
import dev.chainboot.compat.pxesrv.PxeSrvImport;
import dev.chainboot.compat.pxesrv.PxeSrvLayout;
import dev.chainboot.compat.zeroos.ZeroOsImport;
import dev.chainboot.compat.zeroos.ZeroOsKernels;
import dev.chainboot.compat.zeroos.ZeroOsProvisionDb;
import dev.chainboot.compat.zeroos.ZeroOsRequest;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.store.EventFilter;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link Control} on a store in this process: what the HTTP API serves and what the CLI runs
 * against a data directory. Every read-check-write runs in one store transaction ({@link
 * Store#atomically}), so If-Match and "create only" hold against concurrent writers in any process.
 */
public final class LocalControl implements Control {

  private final Store store;
  private final Optional<Tokens> tokens;
  private final BootResolver resolver;
  private final Supplier<FirmwareCatalog> firmware;
  private final Supplier<Set<String>> runmodes;
  private final String baseUrl;
  private final Consumer<String> onRevoke;

  /**
   * @param store the store everything is read from and written to
   * @param tokenStore where API tokens live (empty: token operations answer 501)
   * @param resolver the boot core, for {@link #preview}
   * @param firmware the boot binaries media are built with (asked for only when media are built)
   * @param runmodes the configured Zero-OS runmodes, for {@link #importZeroOs}
   * @param baseUrl the boot server's URL a preview's script links back to, unless one is given
   * @param onRevoke told the id of every token revoked (the server ends its sessions at once)
   */
  public LocalControl(
      Store store,
      Optional<TokenStore> tokenStore,
      BootResolver resolver,
      Supplier<FirmwareCatalog> firmware,
      Supplier<Set<String>> runmodes,
      String baseUrl,
      Consumer<String> onRevoke) {
    this.store = store;
    this.tokens = tokenStore.map(Tokens::new);
    this.resolver = resolver;
    this.firmware = firmware;
    this.runmodes = runmodes;
    this.baseUrl = baseUrl;
    this.onRevoke = onRevoke;
  }

  @Override
  public java.util.OptionalLong machinesVersion() {
    return store.machineVersion();
  }

  /** The API tokens of this control's store (empty without a token store). */
  public Optional<Tokens> tokenService() {
    return tokens;
  }

  // ------------------------------------------------------------------ machines

  @Override
  public List<Machine> machines() {
    return store.machines();
  }

  @Override
  public dev.chainboot.store.MachinePage machinePage(dev.chainboot.store.MachineQuery q) {
    return store.machinePage(q);
  }

  @Override
  public MachineDetail machine(String id) {
    return detail(find(id));
  }

  private MachineDetail detail(Machine m) {
    return new MachineDetail(
        m,
        store.assignment(m.mac(), Assignment.Kind.ONCE),
        store.assignment(m.mac(), Assignment.Kind.STATIC),
        store.installHold(m.mac()));
  }

  /** The machine named by a MAC or an IP address; 400 if it is neither, 404 if unknown. */
  private Machine find(String id) {
    Optional<MacAddress> mac = MacAddress.parse(id);
    if (mac.isPresent()) {
      return store
          .machine(mac.get())
          .orElseThrow(
              () ->
                  ApiException.notFound(
                      "unknown machine "
                          + mac.get()
                          + " (add it with 'chainboot machine add "
                          + mac.get()
                          + "', or let it boot once)"));
    }
    if (!JsonViews.isIp(id)) {
      throw ApiException.invalid("machine", "not a MAC or IP address: " + id);
    }
    return store
        .machineByIp(id)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "no machine known at "
                        + id
                        + " (add one with 'chainboot machine add MAC --ip "
                        + id
                        + "', or let it boot once)"));
  }

  @Override
  public boolean putMachine(Machine m, Expect expect) {
    return store.atomically(
        () -> {
          Optional<Machine> current = store.machine(m.mac());
          precondition(
              expect, current.map(x -> JsonViews.machineDetail(detail(x))), "machine " + m.mac());
          store.putMachine(m);
          return current.isEmpty();
        });
  }

  @Override
  public void deleteMachine(String id, Expect expect) {
    store.atomically(
        () -> {
          Machine m = find(id);
          precondition(
              expect, Optional.of(JsonViews.machineDetail(detail(m))), "machine " + m.mac());
          store.deleteMachine(m.mac());
          return null;
        });
  }

  // ------------------------------------------------------------------ assignments

  @Override
  public MachineDetail assign(String id, Assignment.Kind kind, String profile) {
    return assign(id, kind, profile, 0);
  }

  @Override
  public MachineDetail holdOnce(String id, String profile, int maxBoots) {
    if (maxBoots < 1 || maxBoots > InstallHold.MAX_MAX_BOOTS) {
      throw ApiException.invalid(
          "max_boots", "max_boots must be between 1 and " + InstallHold.MAX_MAX_BOOTS);
    }
    return assign(id, Assignment.Kind.ONCE, profile, maxBoots);
  }

  /** An assignment; with {@code maxBoots} above 0 a once held until done. */
  private MachineDetail assign(String id, Assignment.Kind kind, String profile, int maxBoots) {
    Optional<MacAddress> mac = MacAddress.parse(id);
    if (mac.isEmpty() && !JsonViews.isIp(id)) {
      throw ApiException.invalid("machine", "not a MAC or IP address: " + id);
    }
    JsonViews.checkName("profile", profile);
    return store.atomically(
        () -> {
          Optional<Machine> known =
              mac.isPresent() ? store.machine(mac.get()) : Optional.of(find(id));
          requireProfile("profile", profile);
          Machine m =
              known.orElseGet(
                  () -> {
                    Machine fresh = Machine.of(mac.get()); // pre-provisioning: known from now on
                    store.putMachine(fresh);
                    return fresh;
                  });
          if (maxBoots > 0) {
            store.holdOnce(m.mac(), profile, maxBoots);
          } else {
            store.assign(new Assignment(m.mac(), kind, profile));
          }
          return detail(m);
        });
  }

  @Override
  public int clearAssignments(String id, Optional<String> profile) {
    return store.atomically(() -> store.clearAssignments(find(id).mac(), profile));
  }

  @Override
  public List<Assignment> assignments() {
    return store.assignments();
  }

  @Override
  public Optional<String> defaultProfile() {
    return store.defaultProfile();
  }

  @Override
  public void setDefaultProfile(Optional<String> profile, Expect expect) {
    profile.ifPresent(p -> JsonViews.checkName("profile", p));
    store.atomically(
        () -> {
          precondition(
              expect, Optional.of(JsonViews.profileRef(store.defaultProfile())), "the default");
          profile.ifPresent(p -> requireProfile("profile", p));
          store.setDefaultProfile(profile);
          return null;
        });
  }

  // ------------------------------------------------------------------ profiles

  @Override
  public List<Profile> profiles() {
    return store.profiles();
  }

  @Override
  public Profile profile(String name) {
    return store
        .profile(name)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "unknown profile " + name + " (see 'chainboot profile list')"));
  }

  @Override
  public boolean putProfile(Profile p, Expect expect) {
    validate(p);
    return store.atomically(
        () -> {
          if (p.kind() == Profile.Kind.MENU) {
            for (int i = 0; i < p.menu().size(); i++) {
              String entry = p.menu().get(i);
              String field = "menu[" + i + "]";
              if (entry.equals(p.name())) {
                throw ApiException.invalid(field, "a menu cannot contain itself");
              }
              Profile e =
                  store
                      .profile(entry)
                      .orElseThrow(() -> ApiException.unknown(field, "unknown profile " + entry));
              if (e.kind() == Profile.Kind.MENU) {
                throw ApiException.invalid(field, "menus cannot be nested: " + entry);
              }
            }
          }
          Optional<Profile> current = store.profile(p.name());
          precondition(expect, current.map(JsonViews::profile), "profile " + p.name());
          store.putProfile(p);
          return current.isEmpty();
        });
  }

  /** What may go into a profile: safe URLs and command lines, templates that compile. */
  static void validate(Profile p) {
    p.kernel().ifPresent(k -> url("kernel", k));
    for (int i = 0; i < p.initrds().size(); i++) {
      url("initrds[" + i + "]", p.initrds().get(i));
    }
    p.cmdline()
        .ifPresent(
            c -> {
              template("cmdline", c);
              if (!c.contains("{{")) {
                unsafe("cmdline", () -> IpxeSafe.cmdline(c));
              }
            });
    p.chainUrl().ifPresent(u -> url("chain", u));
    p.script().ifPresent(s -> template("script", s));
  }

  /** A URL as given: validated now unless it holds template variables (checked at boot). */
  private static void url(String field, String u) {
    template(field, u);
    if (!u.contains("{{")) {
      unsafe(field, () -> IpxeSafe.url(u));
    }
  }

  private static void template(String field, String t) {
    try {
      Mustache.compiler().compile(t);
    } catch (RuntimeException e) {
      throw ApiException.invalid(field, "bad template: " + e.getMessage());
    }
  }

  private static void unsafe(String field, Supplier<String> check) {
    try {
      check.get();
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(field, e.getMessage());
    }
  }

  @Override
  public void deleteProfile(String name, Expect expect) {
    store.atomically(
        () -> {
          Profile p = profile(name);
          precondition(expect, Optional.of(JsonViews.profile(p)), "profile " + name);
          try {
            store.deleteProfile(name);
          } catch (StoreException e) {
            throw ApiException.conflict(e.getMessage());
          }
          return null;
        });
  }

  private void requireProfile(String field, String name) {
    if (store.profile(name).isEmpty()) {
      throw ApiException.unknown(
          field, "unknown profile " + name + " (see 'chainboot profile list')");
    }
  }

  // ------------------------------------------------------------------ groups

  @Override
  public List<Group> groups() {
    return store.groups().stream().sorted(Group.PRECEDENCE).toList();
  }

  @Override
  public Group group(String name) {
    return findGroup(name).orElseThrow(() -> ApiException.notFound("unknown group " + name));
  }

  private Optional<Group> findGroup(String name) {
    return store.groups().stream().filter(g -> g.name().equals(name)).findFirst();
  }

  @Override
  public boolean putGroup(Group g, Expect expect) {
    return store.atomically(
        () -> {
          requireProfile("profile", g.profile());
          Optional<Group> current = findGroup(g.name());
          precondition(expect, current.map(JsonViews::group), "group " + g.name());
          store.putGroup(g);
          return current.isEmpty();
        });
  }

  @Override
  public void deleteGroup(String name, Expect expect) {
    store.atomically(
        () -> {
          Group g = group(name);
          precondition(expect, Optional.of(JsonViews.group(g)), "group " + name);
          store.deleteGroup(name);
          return null;
        });
  }

  // ------------------------------------------------------------------ events, preview

  @Override
  public List<BootEvent> events(EventFilter filter) {
    return store.findEvents(filter);
  }

  @Override
  public Preview preview(String id, Optional<String> base) {
    Optional<MacAddress> mac = MacAddress.parse(id);
    Optional<Machine> m =
        mac.isPresent() ? store.machine(mac.get()) : Optional.of(find(id)); // IP: must be known
    InetAddress ip = address(m.flatMap(Machine::ip).filter(JsonViews::isIp).orElse("0.0.0.0"));
    BootRequest r =
        new BootRequest(
            mac.or(() -> m.map(Machine::mac)),
            ip,
            m.flatMap(Machine::uuid),
            m.flatMap(Machine::serial),
            m.flatMap(Machine::hostname),
            m.flatMap(Machine::arch),
            m.flatMap(Machine::platform),
            BootRequest.Protocol.HTTP);
    String url = base.orElse(baseUrl);
    Optional<String> problem = IpxeSafe.urlProblem(url, Set.of("http", "https"));
    if (problem.isPresent()) {
      throw ApiException.invalid("base_url", problem.get());
    }
    return resolver.preview(r, url);
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: never looked up
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ imports

  @Override
  public ImportReport importPxeSrv(PxeSrvLayout layout, boolean dryRun) {
    return importing(dryRun, plan -> PxeSrvImport.apply(layout, plan));
  }

  @Override
  public ImportReport importPixie(PixieLayout layout, boolean dryRun) {
    return importing(dryRun, plan -> PixieImport.apply(layout, plan));
  }

  @Override
  public ImportReport importZeroOs(List<ZeroOsProvisionDb.Client> clients, boolean dryRun) {
    ZeroOsProvisionDb db = ZeroOsProvisionDb.of(clients, runmodes.get());
    return importing(dryRun, plan -> ZeroOsImport.apply(db, plan));
  }

  /** Runs an import in one transaction: all of it is written, or (on an error) none. */
  private ImportReport importing(boolean dryRun, Consumer<ImportPlan> apply) {
    return store.atomically(
        () -> {
          ImportPlan plan = new ImportPlan(store, dryRun);
          apply.accept(plan);
          return plan.result();
        });
  }

  // ------------------------------------------------------------------ media

  @Override
  public byte[] media(MediaOrder order) {
    return order.build(firmware.get());
  }

  // ------------------------------------------------------------------ Zero-OS kernels

  private Optional<ZeroOsKernels> kernels = Optional.empty();

  /** Manages Zero-OS's runmode kernels in {@code k}'s directory (none: those operations 501). */
  public LocalControl withZeroOsKernels(ZeroOsKernels k) {
    this.kernels = Optional.of(k);
    return this;
  }

  private ZeroOsKernels kernelDir() {
    return kernels.orElseThrow(
        () ->
            new ApiException(
                501, Optional.empty(), "Zero-OS kernels are not managed by this control"));
  }

  /** Runs a kernel operation, its refusals as API errors naming {@code field}. */
  private <T> T zos(String field, java.util.concurrent.Callable<T> op) {
    try {
      return op.call();
    } catch (ZeroOsRequest.Invalid e) {
      throw new ApiException(
          e.status(), e.status() == 400 ? Optional.of(field) : Optional.empty(), e.getMessage());
    } catch (ApiException e) {
      throw e;
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new ApiException(500, Optional.empty(), "kernels directory: " + e.getMessage());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<ZeroOsKernels.Kernel> zeroOsKernels() {
    return zos("name", () -> kernelDir().kernels());
  }

  @Override
  public List<ZeroOsKernels.Runmode> zeroOsRunmodes() {
    return zos("runmode", () -> kernelDir().runmodes());
  }

  @Override
  public ZeroOsKernels.Uploaded uploadZeroOsKernel(
      String name, java.io.InputStream body, long declared) {
    ZeroOsKernels.Uploaded u = zos("name", () -> kernelDir().upload(name, body, declared));
    kernelEvent(
        "uploaded kernel " + name + " (" + u.kernel().size() + " bytes)",
        java.util.Map.of(
            "action",
            "upload",
            "kernel",
            name,
            "bytes",
            Long.toString(u.kernel().size()),
            "sha256",
            u.sha256()));
    return u;
  }

  @Override
  public void deleteZeroOsKernel(String name) {
    zos(
        "name",
        () -> {
          kernelDir().delete(name);
          return null;
        });
    kernelEvent("deleted kernel " + name, java.util.Map.of("action", "delete", "kernel", name));
  }

  @Override
  public ZeroOsKernels.Runmode switchZeroOsRunmode(String runmode, String kernel) {
    if (kernel == null || kernel.isEmpty()) {
      throw ApiException.invalid("kernel", "kernel is required (a file of the kernel list)");
    }
    zos("kernel", () -> ZeroOsKernels.checkName(kernel)); // 400 before a 404 for the runmode
    Optional<String> before = zos("kernel", () -> kernelDir().switchTo(runmode, kernel));
    java.util.Map<String, String> d = new java.util.LinkedHashMap<>();
    d.put("action", "switch");
    d.put("runmode", runmode);
    d.put("kernel", kernel);
    d.put("previous", before.orElse(""));
    kernelEvent(
        "runmode " + runmode + " boots " + kernel + before.map(b -> " (was " + b + ")").orElse(""),
        d);
    return zeroOsRunmodes().stream()
        .filter(r -> r.runmode().equals(runmode))
        .findFirst()
        .orElseThrow();
  }

  /** An operator's change to the kernels, in the event stream (the UI's live page shows it). */
  private void kernelEvent(String reason, java.util.Map<String, String> detail) {
    store.appendEvents(
        List.of(
            new BootEvent(
                0,
                java.time.Instant.now(),
                Optional.empty(),
                "-",
                BootEvent.Match.STAGE,
                reason,
                Optional.empty(),
                "admin",
                false,
                BootEvent.Stage.KERNEL,
                detail)));
  }

  // ------------------------------------------------------------------ tokens

  @Override
  public Tokens.Created createToken(String name, Role role) {
    try {
      return tokenSvc().create(name, role);
    } catch (TokenStore.NameTaken e) {
      throw ApiException.conflict(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("name", e.getMessage());
    }
  }

  @Override
  public List<ApiToken> tokens() {
    return tokenSvc().list();
  }

  @Override
  public void revokeToken(String name) {
    Tokens t = tokenSvc();
    List<String> ids =
        t.list().stream()
            .filter(x -> x.active() && x.name().equals(name))
            .map(ApiToken::id)
            .toList();
    if (!t.revoke(name)) {
      throw ApiException.notFound(
          "no active token named " + name + " (see 'chainboot token list')");
    }
    ids.forEach(onRevoke);
  }

  private Tokens tokenSvc() {
    return tokens.orElseThrow(
        () -> new ApiException(501, Optional.empty(), "this store keeps no API tokens"));
  }

  // ------------------------------------------------------------------ plumbing

  private static void precondition(Expect expect, Optional<?> current, String what) {
    if (expect.createOnly() && current.isPresent()) {
      throw ApiException.conflict(what + " exists");
    }
    Etags.check(expect.ifMatch(), current.map(Function.<Object>identity()), what);
  }

  private Runnable onClose = () -> {};

  /** Runs {@code r} when this control is closed (the CLI closes its store so). */
  public LocalControl onClose(Runnable r) {
    this.onClose = r;
    return this;
  }

  @Override
  public void close() {
    onClose.run();
  }
}
