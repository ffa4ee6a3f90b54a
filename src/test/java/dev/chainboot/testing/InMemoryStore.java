package dev.chainboot.testing;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.BootEvent;
import dev.chainboot.boot.BootStore.BootView;
import dev.chainboot.boot.Group;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.Store;
import dev.chainboot.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link Store} in memory, for tests that need no disk. It behaves as {@code SqliteStore} does
 * (the store contract tests run against both): every method is atomic (one lock per store), foreign
 * keys hold (an assignment needs its machine and profile, a group and the default their profile),
 * deleting a machine deletes its assignments, a profile still in use is not deleted, the
 * configuration version moves on every change to profiles, groups or the default, event ids
 * increase, times are kept to the millisecond, and lists come in the order of SqliteStore's {@code
 * ORDER BY}s. {@link #handle()} opens another handle on the same data, as opening the same database
 * twice does.
 */
public final class InMemoryStore implements Store {

  /** A machine with the times SqliteStore keeps beside it. */
  private record Row(Machine machine, long createdAt, Long seenAt) {}

  /** The data every handle shares; guarded by itself. */
  private static final class Data {
    final Map<String, Row> machines = new TreeMap<>(); // by MAC, colon form: ORDER BY mac
    final Map<String, Profile> profiles = new TreeMap<>(); // names are ASCII: binary order
    final Map<String, EnumMap<Assignment.Kind, String>> assignments = new TreeMap<>();
    final Map<String, Group> groups = new TreeMap<>();
    final List<BootEvent> events = new ArrayList<>();
    String defaultProfile;
    long configVersion;
    long nextEventId = 1;
  }

  private final Data data;
  private volatile boolean closed;

  public InMemoryStore() {
    this(new Data());
  }

  private InMemoryStore(Data data) {
    this.data = data;
  }

  /** Another handle on the same data (closing one does not close the other). */
  public InMemoryStore handle() {
    return new InMemoryStore(data);
  }

  // ---------------------------------------------------------------- boot path

  @Override
  public BootView bootView(MacAddress mac) {
    synchronized (open()) {
      Row r = data.machines.get(mac.colon());
      if (r == null) {
        return new BootView(
            Optional.empty(), Optional.empty(), Optional.empty(), data.configVersion);
      }
      return new BootView(
          Optional.of(r.machine()),
          assigned(mac, Assignment.Kind.ONCE),
          assigned(mac, Assignment.Kind.STATIC),
          data.configVersion);
    }
  }

  @Override
  public long configVersion() {
    synchronized (open()) {
      return data.configVersion;
    }
  }

  // ---------------------------------------------------------------- machines

  @Override
  public Optional<Machine> machine(MacAddress mac) {
    synchronized (open()) {
      return Optional.ofNullable(data.machines.get(mac.colon())).map(Row::machine);
    }
  }

  /** As {@code ORDER BY seen_at DESC, mac LIMIT 1} in SQLite: never seen (NULL) sorts last. */
  private static final Comparator<Row> MOST_RECENTLY_SEEN =
      Comparator.comparing(Row::seenAt, Comparator.nullsLast(Comparator.<Long>reverseOrder()))
          .thenComparing(r -> r.machine().mac().colon());

  @Override
  public Optional<Machine> machineByIp(String ip) {
    synchronized (open()) {
      return data.machines.values().stream()
          .filter(r -> r.machine().ip().isPresent() && r.machine().ip().get().equals(ip))
          .min(MOST_RECENTLY_SEEN)
          .map(Row::machine);
    }
  }

  @Override
  public List<Machine> machines() {
    synchronized (open()) {
      return data.machines.values().stream().map(Row::machine).toList();
    }
  }

  @Override
  public void putMachine(Machine m) {
    synchronized (open()) {
      Row old = data.machines.get(m.mac().colon());
      data.machines.put(
          m.mac().colon(),
          old == null ? new Row(m, now(), null) : new Row(m, old.createdAt(), old.seenAt()));
    }
  }

  @Override
  public boolean registerMachine(Machine m) {
    synchronized (open()) {
      if (data.machines.containsKey(m.mac().colon())) {
        return false;
      }
      long now = now();
      data.machines.put(m.mac().colon(), new Row(m, now, now));
      return true;
    }
  }

  @Override
  public void updateSeen(Machine m) {
    synchronized (open()) {
      Row old = data.machines.get(m.mac().colon());
      if (old != null) {
        data.machines.put(
            m.mac().colon(), new Row(m.withLabels(old.machine().labels()), old.createdAt(), now()));
      }
    }
  }

  @Override
  public boolean deleteMachine(MacAddress mac) {
    synchronized (open()) {
      data.assignments.remove(mac.colon()); // ON DELETE CASCADE
      return data.machines.remove(mac.colon()) != null;
    }
  }

  // ---------------------------------------------------------------- profiles

  @Override
  public Optional<Profile> profile(String name) {
    synchronized (open()) {
      return Optional.ofNullable(data.profiles.get(name));
    }
  }

  @Override
  public List<Profile> profiles() {
    synchronized (open()) {
      return List.copyOf(data.profiles.values());
    }
  }

  @Override
  public void putProfile(Profile p) {
    synchronized (open()) {
      data.profiles.put(p.name(), p);
      data.configVersion++;
    }
  }

  @Override
  public boolean deleteProfile(String name) {
    synchronized (open()) {
      List<String> users = new ArrayList<>();
      data.assignments.forEach(
          (mac, kinds) ->
              kinds.forEach(
                  (kind, profile) -> {
                    if (profile.equals(name)) {
                      users.add("assignment of " + mac);
                    }
                  }));
      data.groups.values().stream()
          .filter(g -> g.profile().equals(name))
          .forEach(g -> users.add("group " + g.name()));
      if (name.equals(data.defaultProfile)) {
        users.add("the default");
      }
      data.profiles.values().stream()
          .filter(p -> p.kind() == Profile.Kind.MENU && p.menu().contains(name))
          .forEach(p -> users.add("menu " + p.name()));
      if (!users.isEmpty()) {
        throw new StoreException("profile " + name + " is in use by " + String.join(", ", users));
      }
      if (data.profiles.remove(name) == null) {
        return false;
      }
      data.configVersion++;
      return true;
    }
  }

  // ---------------------------------------------------------------- assignments

  @Override
  public void assign(Assignment a) {
    synchronized (open()) {
      requireMachine(a.mac());
      requireProfile(a.profile());
      data.assignments
          .computeIfAbsent(a.mac().colon(), k -> new EnumMap<>(Assignment.Kind.class))
          .put(a.kind(), a.profile());
    }
  }

  @Override
  public Optional<String> assignment(MacAddress mac, Assignment.Kind kind) {
    synchronized (open()) {
      return assigned(mac, kind);
    }
  }

  private Optional<String> assigned(MacAddress mac, Assignment.Kind kind) {
    return Optional.ofNullable(data.assignments.get(mac.colon())).map(k -> k.get(kind));
  }

  @Override
  public List<Assignment> assignments() {
    synchronized (open()) {
      List<Assignment> list = new ArrayList<>();
      data.assignments.forEach(
          (mac, kinds) ->
              kinds.forEach(
                  (kind, profile) ->
                      list.add(
                          new Assignment(MacAddress.parse(mac).orElseThrow(), kind, profile))));
      return list; // by MAC, then kind ("once" < "static", as the enum)
    }
  }

  @Override
  public int clearAssignments(MacAddress mac, Optional<String> profile) {
    synchronized (open()) {
      EnumMap<Assignment.Kind, String> kinds = data.assignments.get(mac.colon());
      if (kinds == null) {
        return 0;
      }
      int before = kinds.size();
      kinds.values().removeIf(p -> profile.isEmpty() || profile.get().equals(p));
      int removed = before - kinds.size();
      if (kinds.isEmpty()) {
        data.assignments.remove(mac.colon());
      }
      return removed;
    }
  }

  @Override
  public Optional<String> consumeOnce(MacAddress mac) {
    synchronized (open()) {
      EnumMap<Assignment.Kind, String> kinds = data.assignments.get(mac.colon());
      if (kinds == null) {
        return Optional.empty();
      }
      Optional<String> once = Optional.ofNullable(kinds.remove(Assignment.Kind.ONCE));
      if (kinds.isEmpty()) {
        data.assignments.remove(mac.colon());
      }
      return once;
    }
  }

  @Override
  public void setDefaultProfile(Optional<String> profile) {
    synchronized (open()) {
      if (profile.isPresent()) {
        requireProfile(profile.get());
        data.defaultProfile = profile.get();
        data.configVersion++;
      } else if (data.defaultProfile != null) {
        data.defaultProfile = null;
        data.configVersion++;
      }
    }
  }

  @Override
  public Optional<String> defaultProfile() {
    synchronized (open()) {
      return Optional.ofNullable(data.defaultProfile);
    }
  }

  // ---------------------------------------------------------------- groups

  @Override
  public List<Group> groups() {
    synchronized (open()) {
      return List.copyOf(data.groups.values());
    }
  }

  @Override
  public void putGroup(Group g) {
    synchronized (open()) {
      requireProfile(g.profile());
      data.groups.put(g.name(), g);
      data.configVersion++;
    }
  }

  @Override
  public boolean deleteGroup(String name) {
    synchronized (open()) {
      if (data.groups.remove(name) == null) {
        return false;
      }
      data.configVersion++;
      return true;
    }
  }

  // ---------------------------------------------------------------- events

  @Override
  public void appendEvents(List<BootEvent> events) {
    synchronized (open()) {
      for (BootEvent e : events) {
        data.events.add(
            new BootEvent(
                data.nextEventId++,
                Instant.ofEpochMilli(e.time().toEpochMilli()),
                e.mac(),
                e.clientIp(),
                e.match(),
                e.reason(),
                e.profile(),
                e.protocol(),
                e.onceConsumed()));
      }
    }
  }

  @Override
  public List<BootEvent> events(Optional<MacAddress> mac, long afterId, int limit) {
    synchronized (open()) {
      return data.events.stream()
          .filter(e -> e.id() > afterId && (mac.isEmpty() || mac.equals(e.mac())))
          .limit(limit < 0 ? Long.MAX_VALUE : limit) // SQLite: a negative LIMIT is none
          .toList();
    }
  }

  @Override
  public List<BootEvent> recentEvents(Optional<MacAddress> mac, int limit) {
    synchronized (open()) {
      List<BootEvent> matching =
          data.events.stream().filter(e -> mac.isEmpty() || mac.equals(e.mac())).toList();
      int from = limit < 0 ? 0 : Math.max(0, matching.size() - limit);
      return List.copyOf(matching.subList(from, matching.size()));
    }
  }

  @Override
  public List<BootEvent> findEvents(dev.chainboot.store.EventFilter f) {
    synchronized (open()) {
      List<BootEvent> matching =
          data.events.stream()
              .filter(f::matches)
              .filter(e -> f.after().isEmpty() || e.id() > f.after().getAsLong())
              .filter(e -> f.before().isEmpty() || e.id() < f.before().getAsLong())
              .toList();
      if (f.after().isPresent()) {
        return List.copyOf(matching.subList(0, Math.min(f.limit(), matching.size())));
      }
      return List.copyOf(
          matching.subList(Math.max(0, matching.size() - f.limit()), matching.size()));
    }
  }

  /** Holds the store's lock throughout (no other writer comes between); undoes nothing. */
  @Override
  public <T> T atomically(java.util.function.Supplier<T> op) {
    synchronized (open()) {
      return op.get();
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  // ---------------------------------------------------------------- plumbing

  /** The shared data, to lock; fails on a closed handle (as SqliteStore's closed pool does). */
  private Data open() {
    if (closed) {
      throw new StoreException("store is closed");
    }
    return data;
  }

  private void requireMachine(MacAddress mac) {
    if (!data.machines.containsKey(mac.colon())) {
      throw new StoreException("FOREIGN KEY constraint failed: no machine " + mac);
    }
  }

  private void requireProfile(String name) {
    if (!data.profiles.containsKey(name)) {
      throw new StoreException("FOREIGN KEY constraint failed: no profile " + name);
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
