package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.jobs.testing.Cli;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code _unseg/report.html}: written by protect (sample ADE20K dataset plus two images that fail),
 * rebuilt by {@code unseg report OUTPUT}, and rendered by headless Chromium: a screenshot that is not
 * blank, every picture loaded, no console message and no error event.
 */
class ReportTest {
  private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");
  private static final Pattern SAMPLE_PATH = Pattern.compile("<h3>\\d+\\. <span class=\"path\">([^<]+)</span></h3>");

  @TempDir Path tmp;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void protectWritesTheReportAndChromiumRendersIt() throws Exception {
    Path data = dataset();
    Path out = tmp.resolve("out");
    Cli.Run run = Cli.protect("--format", "ade20k", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations").toString(), "--output", out.toString(), "--output-format", "png",
        "--write-masks", "--conf", "unseg.report.samples=2");
    assertEquals(0, run.code(), run.err());
    Path html = out.resolve("_unseg/report.html");
    assertTrue(run.out().lines().anyMatch(l -> l.equals("report: " + html.toUri().toString().replace("file:///", "file:/"))),
        run.out());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));

    String page = Files.readString(html);
    List<String> pictures = pictures(out, page);
    assertTrue(pictures.containsAll(List.of("report/linf.png", "report/psnr.png")), pictures.toString());
    assertEquals(2 + 2 * 4, pictures.size(), pictures.toString());
    assertEquals(expectedSamples(2), samplePaths(page), "the protected images with the smallest SHA-256 of their path");
    assertTrue(page.contains("eps region: the written mask"), "the written masks are shown");
    // Counts, error codes with their first paths, bytes, settings, links.
    assertTrue(page.contains("<td>protected</td><td class=\"num\">3</td>"), page);
    assertTrue(page.contains("<td>failed</td><td class=\"num\">2</td>"), page);
    assertTrue(page.contains("<code>annotation_missing</code>") && page.contains("validation/ADE_val_00000009.jpg"), page);
    assertTrue(page.contains("<code>image_unreadable</code>") && page.contains("validation/ADE_val_00000008.jpg"), page);
    assertTrue(page.contains("unseg.generator.kind") && page.contains("synthetic"), "settings and generator");
    assertTrue(page.contains("selection</td><td class=\"path\">all</td>"), "the run's selection in the run table");
    assertTrue(page.contains("href=\"summary.json\"") && page.contains("href=\"manifest/"), "links");
    assertFalse(page.contains("test-key"), "the key is never shown");
    BufferedImage noise = ImageIO.read(out.resolve("_unseg/report/sample-1-noise.png").toFile());
    assertTrue(distinctColours(noise, 64) > 2, "the amplified noise is not flat grey");

    // Rebuilt without the written masks, with more samples: the eps region is recomputed from the difference.
    try (Stream<Path> masks = Files.walk(out.resolve("_unseg/masks"))) {
      masks.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Cli.Run rebuilt = Cli.runCli(new String[] {"report", out.toString(), "--samples", "3",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, rebuilt.code(), rebuilt.err());
    assertTrue(rebuilt.out().contains("report: ") && rebuilt.out().contains("_unseg/report.html"), rebuilt.out());
    page = Files.readString(html);
    pictures = pictures(out, page);
    assertEquals(2 + 3 * 4, pictures.size(), pictures.toString());
    assertEquals(expectedSamples(3), samplePaths(page));
    assertTrue(page.contains("eps region: |protected - original| &gt; eps_bg, recomputed"), "recomputed region");
    try (Stream<Path> files = Files.list(out.resolve("_unseg/report"))) {
      assertEquals(new HashSet<>(pictures), files.map(f -> "report/" + f.getFileName()).collect(java.util.stream.Collectors.toSet()),
          "the pictures of the previous build were replaced");
    }

    renderInChromium(html, pictures.size());
  }

  /** The sample ADE20K dataset, plus an image without its label map and a JPEG cut short. */
  private Path dataset() throws Exception {
    Path src = Cli.SAMPLES.resolve("ade20k");
    Path data = tmp.resolve("ade20k");
    for (String part : List.of("images", "annotations")) {
      try (Stream<Path> files = Files.walk(src.resolve(part))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path to = data.resolve(part).resolve(src.resolve(part).relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to);
        }
      }
    }
    Path images = data.resolve("images/validation");
    Files.copy(images.resolve("ADE_val_00000001.jpg"), images.resolve("ADE_val_00000009.jpg"));
    byte[] jpeg = Files.readAllBytes(images.resolve("ADE_val_00000002.jpg"));
    Files.write(images.resolve("ADE_val_00000008.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
    Files.copy(data.resolve("annotations/validation/ADE_val_00000002.png"),
        data.resolve("annotations/validation/ADE_val_00000008.png"));
    return data;
  }

  /** The pictures the page shows, each checked to exist and decode. */
  private static List<String> pictures(Path out, String page) throws Exception {
    List<String> found = new ArrayList<>();
    Matcher m = IMG.matcher(page);
    while (m.find()) {
      found.add(m.group(1));
      Path file = out.resolve("_unseg").resolve(m.group(1));
      assertTrue(Files.isRegularFile(file), file + " is referenced but missing");
      BufferedImage img = ImageIO.read(file.toFile());
      assertNotNull(img, file + " does not decode");
      assertTrue(img.getWidth() > 0 && img.getHeight() > 0);
    }
    return found;
  }

  private static List<String> samplePaths(String page) {
    List<String> paths = new ArrayList<>();
    Matcher m = SAMPLE_PATH.matcher(page);
    while (m.find()) {
      paths.add(m.group(1));
    }
    return paths;
  }

  /** The protected images of the dataset by SHA-256 of their input path, the first n. */
  private static List<String> expectedSamples(int n) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    return Stream.of("validation/ADE_val_00000001.jpg", "validation/ADE_val_00000002.jpg", "validation/ADE_val_00000003.jpg")
        .sorted(java.util.Comparator.comparing((String p) -> HexFormat.of().formatHex(sha.digest(p.getBytes(StandardCharsets.UTF_8)))))
        .limit(n).toList();
  }

  /**
   * Headless Chromium: the DOM after load (the page's own script marks on body how many pictures
   * loaded and how many error events fired), its log on stderr (console messages), and a screenshot.
   */
  private void renderInChromium(Path html, int images) throws Exception {
    String chromium = chromium();
    String url = html.toUri().toString();
    Path profile = tmp.resolve("chromium-profile");
    List<String> common = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--user-data-dir=" + profile, "--window-size=1280,2000");
    List<String> dumpArgs = new ArrayList<>(common);
    dumpArgs.addAll(List.of("--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", url));
    String[] dump = run(dumpArgs, tmp.resolve("dom.html"), tmp.resolve("dom.log"));
    String dom = dump[0];
    String log = dump[1];
    assertTrue(dom.contains("data-images-total=\"" + images + "\""), "all <img> counted: " + bodyTag(dom));
    assertTrue(dom.contains("data-images-loaded=\"" + images + "\""), "every picture loaded: " + bodyTag(dom));
    assertTrue(dom.contains("data-errors=\"0\""), "no error event: " + bodyTag(dom));
    List<String> console = log.lines().filter(l -> l.contains(":CONSOLE")).toList();
    assertEquals(List.of(), console, "no console message");

    Path shot = tmp.resolve("report-screenshot.png");
    List<String> shotArgs = new ArrayList<>(common);
    shotArgs.addAll(List.of("--screenshot=" + shot, url));
    run(shotArgs, tmp.resolve("shot.out"), tmp.resolve("shot.log"));
    assertTrue(Files.isRegularFile(shot), "no screenshot written");
    BufferedImage img = ImageIO.read(shot.toFile());
    assertEquals(1280, img.getWidth());
    assertTrue(distinctColours(img, 1000) >= 100, "the screenshot is (nearly) blank");
    // -Dunseg.test.keep-report=DIR keeps the screenshot and the report's folder, to look at.
    String keep = System.getProperty("unseg.test.keep-report");
    if (keep != null && !keep.isEmpty()) {
      Path dir = Files.createDirectories(Path.of(keep));
      Files.copy(shot, dir.resolve("screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path audit = html.getParent();
      try (Stream<Path> files = Files.walk(audit)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path to = dir.resolve(audit.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static String[] run(List<String> command, Path stdout, Path stderr) throws Exception {
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s: " + String.join(" ", command));
    }
    String err = Files.readString(stderr);
    assertEquals(0, p.exitValue(), "chromium failed: " + err);
    return new String[] {Files.readString(stdout), err};
  }

  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    throw new AssertionError("headless Chromium is needed to render the report: apt-get install -y chromium"
        + " (.ci/run installs it)");
  }

  private static String bodyTag(String dom) {
    int i = dom.indexOf("<body");
    return i < 0 ? dom.substring(0, Math.min(300, dom.length())) : dom.substring(i, dom.indexOf('>', i) + 1);
  }

  /** Distinct RGB values, counting up to {@code cap}. */
  private static int distinctColours(BufferedImage img, int cap) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < img.getHeight() && seen.size() < cap; y++) {
      for (int x = 0; x < img.getWidth() && seen.size() < cap; x++) {
        seen.add(img.getRGB(x, y) & 0xffffff);
      }
    }
    return seen.size();
  }
}
