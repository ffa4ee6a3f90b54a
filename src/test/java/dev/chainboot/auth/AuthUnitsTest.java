package dev.chainboot.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.store.SqliteStore;
import dev.chainboot.testing.Sqlite3;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens (on a real SQLite store: only hashes on disk, revocation seen by another handle at once),
 * sessions (idle and absolute expiry) and the login throttle (windows), on a clock the test moves.
 */
class AuthUnitsTest {

  @TempDir Path dir;

  /** A clock the test moves. */
  static final class Moving extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  @Test
  void tokensAreStoredHashedAndRevocationCountsInEveryProcessAtOnce() {
    try (SqliteStore a = SqliteStore.open(dir);
        SqliteStore b = SqliteStore.open(dir)) {
      Tokens server = new Tokens(a);
      Tokens cli = new Tokens(b);
      Tokens.Created t = cli.create("ops", Role.OPERATOR);
      assertThat(t.secret()).startsWith(Tokens.PREFIX).hasSize(Tokens.PREFIX.length() + 43);
      assertThat(server.authenticate(t.secret()))
          .hasValueSatisfying(
              p -> {
                assertThat(p.name()).isEqualTo("ops");
                assertThat(p.role()).isEqualTo(Role.OPERATOR);
                assertThat(p.via()).isEqualTo(Principal.Via.TOKEN);
              });
      String onDisk = Sqlite3.run(dir.resolve("chainboot.db"), "SELECT * FROM api_tokens;");
      assertThat(onDisk).contains(Tokens.hash(t.secret())).doesNotContain(t.secret().substring(4));
      assertThat(server.authenticate(t.secret() + "x")).isEmpty();
      assertThat(server.authenticate("ops")).isEmpty();
      assertThat(server.authenticate("cbt_" + "A".repeat(200))).isEmpty();
      assertThatThrownBy(() -> cli.create("ops", Role.VIEWER))
          .isInstanceOf(TokenStore.NameTaken.class);
      assertThatThrownBy(() -> cli.create("no spaces", Role.VIEWER))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(cli.revoke("ops")).isTrue();
      assertThat(server.authenticate(t.secret())).as("revoked in the other handle").isEmpty();
      assertThat(server.forSession(t.token().id())).isEmpty();
      assertThat(cli.revoke("ops")).isFalse();
      Tokens.Created again = cli.create("ops", Role.ADMIN);
      assertThat(server.authenticate(again.secret())).isPresent();
      assertThat(server.list())
          .extracting(ApiToken::name, ApiToken::active)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("ops", false),
              org.assertj.core.groups.Tuple.tuple("ops", true));
      assertThat(server.list().get(1).lastUsed()).as("touched when it authenticated").isPresent();
    }
  }

  @Test
  void sessionsEndWhenIdleWhenTooOldAndAtLogout() {
    Moving clock = new Moving();
    Sessions s = new Sessions(clock);
    Principal p = new Principal("a", Role.VIEWER, "tok1", Principal.Via.TOKEN);
    Sessions.Session one = s.open(p);
    Sessions.Session two = s.open(p);
    assertThat(one.id()).isNotEqualTo(two.id()).hasSize(43);
    assertThat(one.csrf()).isNotEqualTo(one.id());
    assertThat(one.csrfMatches(one.csrf())).isTrue();
    assertThat(one.csrfMatches(two.csrf())).isFalse();
    assertThat(one.csrfMatches(null)).isFalse();

    clock.advance(Sessions.IDLE.minusMinutes(1));
    assertThat(s.find(one.id())).isPresent(); // used: idle time starts again
    clock.advance(Duration.ofMinutes(2));
    assertThat(s.find(two.id())).as("idle too long").isEmpty();
    assertThat(s.find(one.id())).isPresent();
    for (int i = 0; i < 4; i++) {
      clock.advance(Sessions.IDLE.minusMinutes(1));
      s.find(one.id());
    }
    assertThat(s.find(one.id())).as("older than " + Sessions.MAX).isEmpty();

    Sessions.Session three = s.open(p);
    s.open(new Principal("b", Role.ADMIN, "tok2", Principal.Via.TOKEN));
    s.closeAllOf("tok1");
    assertThat(s.find(three.id())).isEmpty();
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.find("made-up")).isEmpty();
    assertThat(s.find(null)).isEmpty();
  }

  @Test
  void theThrottleRefusesAnAddressAfterFiveFailuresUntilTheWindowPasses() {
    Moving clock = new Moving();
    LoginThrottle t = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.PER_CLIENT; i++) {
      assertThat(t.retryAfter("10.0.0.1")).isEmpty();
      t.failed("10.0.0.1");
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(t.retryAfter("10.0.0.1"))
        .hasValueSatisfying(
            d ->
                assertThat(d)
                    .isEqualTo(LoginThrottle.WINDOW.minusSeconds(10L * LoginThrottle.PER_CLIENT)));
    assertThat(t.retryAfter("10.0.0.2")).as("another address").isEmpty();
    clock.advance(LoginThrottle.WINDOW.minusSeconds(49));
    assertThat(t.retryAfter("10.0.0.1")).as("the oldest failure left the window").isEmpty();
    t.failed("10.0.0.1");
    assertThat(t.retryAfter("10.0.0.1")).isPresent();

    LoginThrottle global = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.GLOBAL; i++) {
      global.failed("172.16." + (i / 250) + "." + (i % 250));
    }
    assertThat(global.retryAfter("192.168.9.9"))
        .as("a spread-out attack stops everyone")
        .isPresent();
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(global.retryAfter("192.168.9.9")).isEmpty();
  }

  @Test
  void rolesIncludeTheOnesBelow() {
    assertThat(Role.ADMIN.allows(Role.OPERATOR)).isTrue();
    assertThat(Role.OPERATOR.allows(Role.VIEWER)).isTrue();
    assertThat(Role.VIEWER.allows(Role.OPERATOR)).isFalse();
    assertThat(Role.OPERATOR.allows(Role.ADMIN)).isFalse();
    assertThat(Role.parse(" Admin ")).contains(Role.ADMIN);
    assertThat(Role.parse("root")).isEqualTo(Optional.empty());
  }
}
