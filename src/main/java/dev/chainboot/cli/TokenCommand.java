package dev.chainboot.cli;

import dev.chainboot.api.JsonViews;
import dev.chainboot.auth.ApiToken;
import dev.chainboot.auth.Role;
import dev.chainboot.auth.Tokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chainboot token create NAME --role ROLE | list | revoke NAME}: API tokens. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Manage API tokens (viewer: read; operator: change machines, profiles, groups,"
            + " assignments, media, imports; admin: also tokens). Stored hashed.",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListCmd.class,
      TokenCommand.Revoke.class
    })
public final class TokenCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a token and print its secret: it is shown this once only.")
  static final class Create implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME", description = "Whose or what it is for, e.g. alice, ci.")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "viewer, operator or admin")
    String role;

    @Override
    public Integer call() {
      return opts.run(
          "token create",
          control -> {
            Role r =
                Role.parse(role)
                    .orElseThrow(
                        () ->
                            StoreOptions.CliError.invalid(
                                "--role must be viewer, operator or admin, not " + role));
            Tokens.Created t = control.createToken(name, r);
            if (opts.json) {
              Map<String, Object> o = JsonViews.token(t.token());
              o.put("secret", t.secret());
              Json.print(o);
              return;
            }
            System.err.println(
                "token "
                    + t.token().name()
                    + " ("
                    + r.id()
                    + ") created; its secret, shown this once only:");
            System.out.println(t.secret());
          });
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List tokens, active and revoked (never their secrets).")
  static final class ListCmd implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Override
    public Integer call() {
      return opts.run(
          "token list",
          control -> {
            List<ApiToken> all = control.tokens();
            if (opts.json) {
              Json.print(all.stream().map(JsonViews::token).toList());
              return;
            }
            Table t = new Table("NAME", "ROLE", "CREATED", "LAST USED", "STATE");
            for (ApiToken x : all) {
              t.row(
                  x.name(),
                  x.role().id(),
                  x.created(),
                  x.lastUsed().map(Instant::toString).orElse(null),
                  x.revoked().map(at -> "revoked " + at).orElse("active"));
            }
            t.print(System.out);
          });
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke the active token NAME: it and its UI sessions stop working at once.")
  static final class Revoke implements Callable<Integer> {
    @Mixin StoreOptions opts;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      return opts.run(
          "token revoke",
          control -> {
            control.revokeToken(name);
            System.out.println("token " + name + " revoked");
          });
    }
  }
}
