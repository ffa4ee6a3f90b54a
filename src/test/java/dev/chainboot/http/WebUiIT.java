package dev.chainboot.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.auth.Role;
import dev.chainboot.testing.AdminServer;
import dev.chainboot.testing.Curl;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: Debian's chromium (headless) driven through Debian's chromedriver
 * (always given by path; Selenium Manager is never asked), against a real server. One browser for
 * the whole class, the steps in order as an operator takes them: the auth edge (no session: the
 * login page; a POST without the CSRF token: 403), logging in, pre-provisioning a machine, a
 * profile with its live preview, boot once, a boot arriving live in the open machine page while a
 * simulated machine (curl) asks the boot listener for its script, groups and the default, and an
 * ISO downloaded by the browser. Screenshots go to {@code target/ui-screenshots} (or to the
 * directory in {@code -Dui.screenshots=docs/ui} to refresh the documentation's).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebUiIT {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String MAC = "52:54:00:a1:b2:c3";
  static final String PROFILE = "ui-install";

  static Path tmp;
  static Path downloads;
  static AdminServer s;
  static WebDriver driver;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM)
        .as("Debian's chromium is needed (apt-get install chromium chromium-driver)")
        .isExecutable();
    assertThat(CHROMEDRIVER)
        .as("Debian's chromedriver is needed (apt-get install chromium-driver)")
        .isExecutable();
    tmp = Files.createTempDirectory("webui");
    downloads = Files.createDirectories(tmp.resolve("downloads"));
    s = new AdminServer(tmp.resolve("data"));
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1000,720",
        "--user-data-dir=" + tmp.resolve("profile"));
    Map<String, Object> prefs = new HashMap<>();
    prefs.put("download.default_directory", downloads.toString());
    prefs.put("download.prompt_for_download", false);
    o.setExperimentalOption("prefs", prefs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .withTimeout(Duration.ofSeconds(60))
            .build();
    driver = new ChromeDriver(service, o);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    wait = new WebDriverWait(driver, WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (s != null) {
      s.close();
    }
  }

  static String url(String path) {
    return s.adminBase() + path;
  }

  static void screenshot(String name) throws Exception {
    Path dir = Path.of(System.getProperty("ui.screenshots", "target/ui-screenshots"));
    Files.createDirectories(dir);
    byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(dir.resolve(name + ".png"), png);
  }

  @Test
  @Order(1)
  void aPageWithoutASessionSendsTheBrowserToTheLoginPage() {
    driver.get(url("/machines?q=rack"));
    wait.until(ExpectedConditions.urlContains("/login"));
    assertThat(driver.getCurrentUrl()).contains("/login?next=%2Fmachines%3Fq%3Drack");
    assertThat(driver.findElement(By.id("token")).isDisplayed()).isTrue();
  }

  @Test
  @Order(2)
  void loggingInWithATokenOpensTheMachineList() throws Exception {
    driver.get(url("/machines"));
    driver.findElement(By.id("token")).sendKeys(s.token(Role.OPERATOR));
    driver.findElement(By.cssSelector("button[type=submit]")).click();
    wait.until(ExpectedConditions.urlToBe(url("/machines")));
    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Machines");
    assertThat(driver.findElement(By.className("who")).getText()).contains("operator");
  }

  @Test
  @Order(3)
  void aPostWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
    Cookie session = driver.manage().getCookieNamed(Guard.SESSION_COOKIE);
    assertThat(session).isNotNull();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url("/machines")))
            .timeout(Duration.ofSeconds(20))
            .header("Cookie", Guard.SESSION_COOKIE + "=" + session.getValue())
            .header("Content-Type", "application/x-www-form-urlencoded");
    HttpResponse<String> r =
        s.client.send(
            b.POST(HttpRequest.BodyPublishers.ofString("mac=52:54:00:00:00:99")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("CSRF");
    HttpResponse<String> wrong =
        s.client.send(
            b.POST(HttpRequest.BodyPublishers.ofString("mac=52:54:00:00:00:99&csrf=guess")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(s.admin("GET", "/api/v1/machines/52:54:00:00:00:99", null).status()).isEqualTo(404);
  }

  @Test
  @Order(4)
  void aMachineIsPreProvisionedWithLabels() throws Exception {
    driver.get(url("/machines"));
    driver.findElement(By.id("new-mac")).sendKeys(MAC);
    driver.findElement(By.id("new-labels")).sendKeys("rack=r1\nrole=worker");
    driver.findElement(By.id("add-machine")).click();
    wait.until(ExpectedConditions.urlToBe(url("/machines/" + MAC)));
    assertThat(driver.findElement(By.id("labels")).getAttribute("value"))
        .isEqualTo("rack=r1\nrole=worker");
    driver.get(url("/machines?q=rack=r1"));
    List<WebElement> rows = driver.findElements(By.cssSelector("#machines tbody tr"));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getText()).contains(MAC).contains("rack=r1").contains("never");
    driver.get(url("/machines?q=rack=r9"));
    assertThat(driver.findElements(By.cssSelector("#machines tbody tr"))).isEmpty();
  }

  @Test
  @Order(5)
  void aProfileIsAddedWithALivePreviewForAChosenMachine() throws Exception {
    driver.get(url("/profiles"));
    driver.findElement(By.id("name")).sendKeys(PROFILE);
    new Select(driver.findElement(By.id("kind"))).selectByValue("kernel");
    driver.findElement(By.id("kernel")).sendKeys("http://10.9.8.7/vmlinuz");
    driver.findElement(By.id("initrds")).sendKeys("http://10.9.8.7/initrd.img");
    new Select(driver.findElement(By.id("preview-machine"))).selectByVisibleText(MAC);
    driver.findElement(By.id("cmdline")).sendKeys("console=ttyS0 host={{mac_hexhyp}}");
    WebElement preview = driver.findElement(By.id("preview"));
    wait.until(
        d -> preview.getText().contains("host=52-54-00-a1-b2-c3") ? preview.getText() : null);
    assertThat(preview.getText())
        .startsWith("#!ipxe")
        .contains("kernel http://10.9.8.7/vmlinuz")
        .contains("initrd http://10.9.8.7/initrd.img")
        .contains("boots profile " + PROFILE);
    // an unsafe command line never becomes a command: the preview says why
    driver.findElement(By.id("cmdline")).sendKeys(" ${x};shell");
    wait.until(d -> preview.getText().startsWith("cannot preview") ? preview.getText() : null);
    WebElement cmdline = driver.findElement(By.id("cmdline"));
    cmdline.clear();
    cmdline.sendKeys("console=ttyS0 host={{mac_hexhyp}}");
    wait.until(d -> preview.getText().startsWith("#!ipxe") ? preview.getText() : null);
    screenshot("profile-preview");
    driver.findElement(By.id("save-profile")).click();
    wait.until(ExpectedConditions.urlToBe(url("/profiles/" + PROFILE)));
    assertThat(s.admin("GET", "/api/v1/profiles/" + PROFILE, null).json().get("cmdline").asText())
        .isEqualTo("console=ttyS0 host={{mac_hexhyp}}");
  }

  @Test
  @Order(6)
  void bootOnceThenABootArrivesLiveInTheOpenMachinePage() throws Exception {
    driver.get(url("/machines/" + MAC));
    new Select(driver.findElement(By.id("assign-profile"))).selectByVisibleText(PROFILE);
    driver.findElement(By.id("boot-once")).click();
    wait.until(ExpectedConditions.textToBe(By.id("once"), PROFILE));
    assertThat(driver.findElement(By.id("boots-now")).getText()).startsWith("once");
    // the page is open and listening
    wait.until(ExpectedConditions.attributeToBe(By.id("events"), "data-live", "true"));
    assertThat(driver.findElements(By.cssSelector("#events tbody tr"))).isEmpty();
    Curl.Result boot = Curl.run("-s", s.bootBase() + "/boot.ipxe?mac=" + MAC);
    assertThat(boot.status()).isEqualTo(200);
    assertThat(boot.text()).contains("kernel http://10.9.8.7/vmlinuz");
    WebElement row =
        wait.until(
            ExpectedConditions.presenceOfElementLocated(By.cssSelector("#events tbody tr.new")));
    assertThat(row.getText()).contains(MAC).contains("once").contains(PROFILE).contains("http");
    assertThat(row.getText()).contains("once_consumed=true");
    screenshot("machine-timeline");
    // the once-assignment was consumed: the page says so after a reload, the row stays
    driver.navigate().refresh();
    wait.until(ExpectedConditions.textToBe(By.id("once"), "-"));
    assertThat(driver.findElements(By.cssSelector("#events tbody tr"))).hasSize(1);
    driver.get(url("/machines"));
    assertThat(driver.findElement(By.id("machines")).getText()).contains("once " + PROFILE);
    screenshot("machines");
  }

  @Test
  @Order(7)
  void theEventsPageAppendsBootsLive() throws Exception {
    driver.get(url("/events"));
    wait.until(ExpectedConditions.attributeToBe(By.id("events"), "data-live", "true"));
    int before = driver.findElements(By.cssSelector("#events tbody tr")).size();
    Curl.Result boot = Curl.run("-s", s.bootBase() + "/boot.ipxe?mac=52:54:00:0e:0e:0e");
    assertThat(boot.status()).isEqualTo(200);
    wait.until(
        ExpectedConditions.numberOfElementsToBe(By.cssSelector("#events tbody tr"), before + 1));
    assertThat(driver.findElement(By.cssSelector("#events tbody tr.new")).getText())
        .contains("52:54:00:0e:0e:0e")
        .contains("none");
  }

  @Test
  @Order(8)
  void labelsAreEditedAndGroupsAndTheDefaultAreSet() throws Exception {
    driver.get(url("/machines/" + MAC));
    WebElement labels = driver.findElement(By.id("labels"));
    labels.clear();
    labels.sendKeys("rack=r2");
    // the page posts and comes back to the same URL: wait for the old page to go first
    WebElement saveLabels = driver.findElement(By.id("save-labels"));
    saveLabels.click();
    wait.until(ExpectedConditions.stalenessOf(saveLabels));
    wait.until(ExpectedConditions.urlToBe(url("/machines/" + MAC)));
    assertThat(s.admin("GET", "/api/v1/machines/" + MAC, null).json().get("labels").toString())
        .isEqualTo("{\"rack\":\"r2\"}");
    driver.get(url("/groups"));
    driver.findElement(By.id("group-name")).sendKeys("rack2");
    new Select(driver.findElement(By.id("group-profile"))).selectByVisibleText(PROFILE);
    driver.findElement(By.id("group-labels")).sendKeys("rack=r2");
    driver.findElement(By.id("save-group")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("groups"), "rack2"));
    new Select(driver.findElement(By.id("default"))).selectByVisibleText(PROFILE);
    // the page posts and comes back to the same URL: wait for the old page to go first
    WebElement saveDefault = driver.findElement(By.id("save-default"));
    saveDefault.click();
    wait.until(ExpectedConditions.stalenessOf(saveDefault));
    wait.until(ExpectedConditions.urlToBe(url("/groups")));
    assertThat(s.admin("GET", "/api/v1/default", null).json().get("profile").asText())
        .isEqualTo(PROFILE);
    assertThat(s.admin("GET", "/api/v1/groups/rack2", null).json().get("selector").asText())
        .contains("rack=r2");
    screenshot("groups");
    driver.get(url("/machines/" + MAC));
    assertThat(driver.findElement(By.id("boots-now")).getText()).startsWith("group");
    // a bad label line is refused with the reason, nothing changes
    labels = driver.findElement(By.id("labels"));
    labels.clear();
    labels.sendKeys("no equals sign");
    // the refusal is a new page: wait for the old one to go, then for the error on the new one
    saveLabels = driver.findElement(By.id("save-labels"));
    saveLabels.click();
    wait.until(ExpectedConditions.stalenessOf(saveLabels));
    assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error"))).getText())
        .contains("name=value");
    assertThat(s.admin("GET", "/api/v1/machines/" + MAC, null).json().get("labels").toString())
        .isEqualTo("{\"rack\":\"r2\"}");
  }

  @Test
  @Order(9)
  void anIsoForTheMachineIsDownloadedByTheBrowser() throws Exception {
    driver.get(url("/machines/" + MAC));
    driver.findElement(By.cssSelector("a[href='/ui/media/" + MAC + ".iso']")).click();
    Path iso = downloads.resolve("52-54-00-a1-b2-c3.iso");
    wait.until(d -> Files.exists(iso) && !partial() ? iso : null);
    byte[] b = Files.readAllBytes(iso);
    assertThat(b.length).isGreaterThan(64 * 1024);
    assertThat(new String(b, 0x8001, 5, StandardCharsets.US_ASCII)).isEqualTo("CD001");
    assertThat(new String(b, StandardCharsets.ISO_8859_1))
        .contains("/boot.ipxe?mac=52-54-00-a1-b2-c3");
  }

  static boolean partial() {
    try (Stream<Path> files = Files.list(downloads)) {
      return files.anyMatch(p -> p.toString().endsWith(".crdownload"));
    } catch (java.io.IOException e) {
      return true;
    }
  }

  /** Uploads {@code name} through the page's form and waits for the list to show it. */
  static void uploadKernel(String name, byte[] content) throws Exception {
    Path file = Files.write(tmp.resolve(name), content);
    driver.get(url("/zeroos"));
    driver.findElement(By.id("kernel-file")).sendKeys(file.toString());
    driver.findElement(By.id("upload-kernel")).click();
    wait.until(ExpectedConditions.urlContains("/zeroos?uploaded="));
    assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).contains(name);
    assertThat(driver.findElement(By.id("kernels")).getText()).contains(name);
  }

  /** Switches {@code runmode} to {@code kernel} with the page's form. */
  static void switchRunmode(String runmode, String kernel) {
    driver.get(url("/zeroos"));
    new Select(driver.findElement(By.id("switch-" + runmode))).selectByVisibleText(kernel);
    driver.findElement(By.id("switch-" + runmode + "-button")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("tr[data-runmode='" + runmode + "'] td.kernel"), kernel));
  }

  static String ipxe(String runmode) throws Exception {
    Curl.Result r = Curl.run(s.bootBase() + "/ipxe/" + runmode);
    assertThat(r.status()).isEqualTo(200);
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  @Order(10)
  void zeroOsKernelsAreUploadedAndARunmodeSwitchedThenItBootsTheNewOne() throws Exception {
    byte[] v1 = "MZ zero-os v1".getBytes(StandardCharsets.UTF_8);
    byte[] v2 = "MZ zero-os v2, the new one".getBytes(StandardCharsets.UTF_8);
    uploadKernel("zero-os-v1-amd64.efi", v1);
    switchRunmode("prod", "zero-os-v1-amd64.efi");
    assertThat(ipxe("prod")).contains(s.bootBase() + "/kernel/zero-os-v1-amd64.efi ");

    uploadKernel("zero-os-v2-amd64.efi", v2);
    switchRunmode("prod", "zero-os-v2-amd64.efi");
    screenshot("zeroos");
    String script = ipxe("prod");
    assertThat(script)
        .contains(s.bootBase() + "/kernel/zero-os-v2-amd64.efi ")
        .doesNotContain("zero-os-v1-amd64.efi");
    assertThat(Curl.run(s.bootBase() + "/kernel/zero-os-v2-amd64.efi").body()).isEqualTo(v2);

    // a bad name is refused with the reason on the page, nothing is stored
    Path bad = Files.write(tmp.resolve("bad.efi"), v1);
    driver.get(url("/zeroos"));
    driver.findElement(By.id("kernel-file")).sendKeys(bad.toString());
    driver.findElement(By.id("kernel-name")).sendKeys("../escape.efi");
    driver.findElement(By.id("upload-kernel")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("upload-status"), "400"));
    assertThat(driver.findElement(By.id("upload-status")).getText()).contains("plain file name");
    assertThat(tmp.resolve("data/escape.efi")).doesNotExist();

    // the session's switch needs its CSRF token
    Cookie session = driver.manage().getCookieNamed(Guard.SESSION_COOKIE);
    HttpResponse<String> r =
        s.client.send(
            HttpRequest.newBuilder(URI.create(url("/zeroos/switch")))
                .timeout(Duration.ofSeconds(20))
                .header("Cookie", Guard.SESSION_COOKIE + "=" + session.getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString("runmode=prod&kernel=zero-os-v1-amd64.efi"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(ipxe("prod")).contains("/kernel/zero-os-v2-amd64.efi ");

    // every change is in the event stream
    driver.get(url("/events"));
    assertThat(driver.findElement(By.tagName("main")).getText())
        .contains("runmode prod boots zero-os-v2-amd64.efi (was zero-os-v1-amd64.efi)");
  }

  @Test
  @Order(11)
  void logoutEndsTheSession() throws Exception {
    driver.get(url("/machines"));
    driver.findElement(By.cssSelector("form[action='/logout'] button")).click();
    wait.until(ExpectedConditions.urlContains("/login"));
    driver.get(url("/profiles"));
    wait.until(ExpectedConditions.urlContains("/login?next=%2Fprofiles"));
  }
}
