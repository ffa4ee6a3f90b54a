package dev.chainboot.config;

/**
 * Storm control: how many TFTP transfers and HTTP requests {@code serve} runs at once, in all and
 * per client address ({@code --max-tftp}, {@code --max-tftp-per-client}, {@code --max-http}, {@code
 * --max-http-per-client}). The defaults suit a thousand machines booting at once on a 2-core server
 * (measured with {@code bench/storm}; see docs/operations.md).
 *
 * @param maxTftp TFTP transfers at once; further requests wait in a fair queue, then get no answer
 *     (the firmware retries)
 * @param maxTftpPerClient TFTP transfers running or waiting for one client address
 * @param maxHttp HTTP requests served at once, file downloads and other requests (scripts) each;
 *     further requests wait, then get 503 + Retry-After
 * @param maxHttpPerClient HTTP requests served at once for one client address, downloads and other
 *     requests each
 */
public record StormLimits(int maxTftp, int maxTftpPerClient, int maxHttp, int maxHttpPerClient) {

  public static final StormLimits DEFAULTS = new StormLimits(1000, 4, 64, 4);

  public StormLimits {
    check("--max-tftp", maxTftp);
    check("--max-tftp-per-client", maxTftpPerClient);
    check("--max-http", maxHttp);
    check("--max-http-per-client", maxHttpPerClient);
  }

  private static void check(String option, int v) {
    if (v < 1 || v > 1_000_000) {
      throw new IllegalArgumentException(option + " must be between 1 and 1000000, not " + v);
    }
  }
}
