package dev.chainboot.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One HTTP(S) request as iPXE or UEFI HTTP boot makes it, with the certificate chain an HTTPS
 * server sent. The chain is taken as it comes (TLS 1.2, as iPXE speaks it) and judged afterwards by
 * {@link CertCheck}: nothing here trusts or refuses a certificate, so nothing fetched here may be
 * taken for trusted without that check.
 */
public final class HttpFetch {

  private HttpFetch() {}

  /**
   * @param status the HTTP status, or 0 when there was no answer
   * @param body the body (at most {@code max} bytes; empty for HEAD)
   * @param chain the HTTPS server's certificates, server first (empty over HTTP)
   * @param error why there was no answer ("" when there was one)
   */
  public record Response(int status, byte[] body, List<X509Certificate> chain, String error) {
    public boolean answered() {
      return status > 0;
    }
  }

  /**
   * @param method GET or HEAD
   * @param max the most body bytes read
   */
  public static Response fetch(String url, String method, Duration timeout, int max) {
    URL u;
    try {
      u = URI.create(url).toURL();
    } catch (IllegalArgumentException | java.net.MalformedURLException e) {
      return new Response(0, new byte[0], List.of(), "not a URL: " + e.getMessage());
    }
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) u.openConnection(java.net.Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(true);
      c.setConnectTimeout((int) timeout.toMillis());
      c.setReadTimeout((int) timeout.toMillis());
      c.setRequestMethod(method);
      c.setRequestProperty("User-Agent", "iPXE/1.21.1+ (chainboot doctor)");
      List<X509Certificate> chain = new java.util.concurrent.CopyOnWriteArrayList<>();
      if (c instanceof HttpsURLConnection https) {
        https.setSSLSocketFactory(takeAnyChain(chain).getSocketFactory());
        https.setHostnameVerifier((host, session) -> true); // names are CertCheck's
      }
      int status = c.getResponseCode();
      byte[] body = new byte[0];
      if (!method.equals("HEAD")) {
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in != null) {
          try (in) {
            body = in.readNBytes(max);
          }
        }
      }
      return new Response(status, body, List.copyOf(chain), "");
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return new Response(0, new byte[0], List.of(), describe(e));
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  /** A HEAD, or where HEAD is not allowed (405), a GET of the first byte. */
  public static Response probe(String url, Duration timeout) {
    Response r = fetch(url, "HEAD", timeout, 0);
    if (r.status() == 405 || r.status() == 501) {
      return fetch(url, "GET", timeout, 1);
    }
    return r;
  }

  private static String describe(Exception e) {
    String m = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    if (e instanceof java.net.ConnectException) {
      return "connection refused (" + m + ")";
    }
    if (e instanceof java.net.SocketTimeoutException) {
      return "no answer in time (" + m + ")";
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return "TLS 1.2 handshake failed (" + m + ")";
    }
    return m;
  }

  /** TLS 1.2 that takes whatever chain the server sends, to be judged by {@link CertCheck}. */
  private static SSLContext takeAnyChain(List<X509Certificate> seen)
      throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLSv1.2");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
              seen.clear();
              seen.addAll(List.of(chain));
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    return ctx;
  }
}
