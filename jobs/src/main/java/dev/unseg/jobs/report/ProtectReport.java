package dev.unseg.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.jobs.config.ReportSettings;
import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.JpegCodec;
import dev.unseg.pipeline.protect.ProtectionSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code <output>/_unseg/report.html} of a protect run, with its pictures in {@code _unseg/report/}:
 * the run's settings and generator, images by status and by error code (with the first paths of
 * each code), bytes in and out, histograms of L-inf and PSNR inside and outside the eps region over
 * every image, and a fixed sample of images as quadruples (original, protected, noise amplified, eps
 * region) at native resolution. Built from the output alone (summary.json, settings.json, the
 * manifest, the written images and masks, and the original images the summary names), so
 * {@code unseg report OUTPUT} rebuilds it for any finished run, local or in an object store.
 *
 * <p>Memory stays bounded: every figure over the images is a Spark aggregation over the manifest
 * ({@link ManifestStats}); the driver decodes only the sample images, one at a time.
 */
public final class ProtectReport {
  /** Failed paths listed per error code. */
  static final int ERROR_PATHS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEMPLATE = "/dev/unseg/jobs/report/report.html";

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // charts and pictures are drawn without a display
    }
  }

  private ProtectReport() {}

  /** Builds the report of the run in {@code output} and returns where report.html is. */
  public static Path write(SparkSession spark, URI output, ReportSettings settings) throws IOException {
    OutputLayout loc = new OutputLayout(output);
    Storage fs = Storage.of(loc.root(), spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(loc.manifest())) {
      throw loc.noManifest(fs);
    }
    return write(spark, output, settings, stats(spark, loc.manifest(), settings));
  }

  /** What the report shows of a manifest: the protect job computes it once, for its summary too. */
  public static ManifestStats stats(SparkSession spark, Path manifest, ReportSettings settings) {
    return ManifestStats.of(spark.read().parquet(manifest.toString()), ERROR_PATHS, settings.samples());
  }

  /** The same from the manifest's {@link #stats}. */
  public static Path write(SparkSession spark, URI output, ReportSettings settings, ManifestStats stats)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    OutputLayout loc = new OutputLayout(output);
    Storage fs = Storage.of(loc.root(), hadoop);
    FolderStore audit = new FolderStore(loc.audit().toUri(), hadoop);
    if (!fs.exists(loc.summary())) {
      throw new UserError(loc.summary() + " does not exist: the run in " + loc.root()
          + " did not finish; finish it with unseg protect --resume (which writes the report)");
    }
    JsonNode summary = readJson(audit, loc.summary().getName());
    JsonNode runSettings = fs.exists(loc.settings()) ? readJson(audit, loc.settings().getName()) : null;

    // A rebuild replaces the pictures of the previous one (which may have shown more samples).
    Path pictures = loc.reportFiles();
    fs.delete(pictures, true);
    double eps = summary.path("eps").asDouble();
    double epsBg = summary.path("eps_bg").asDouble();
    Map<String, Map<Long, Long>> h = stats.histograms();
    fs.publish(loc.reportFile("linf.png"),
        Charts.linf(h.get("linf_inside"), h.get("linf_outside"), eps, epsBg));
    fs.publish(loc.reportFile("psnr.png"), Charts.psnr(h.get("psnr_inside"), h.get("psnr_outside")));
    String samples = samples(fs, loc, audit, summary, stats.samples(), settings, hadoop);

    Map<String, String> v = new LinkedHashMap<>();
    v.put("style", ReportHtml.STYLE);
    v.put("run_id", esc(summary.path("run_id").asText()));
    v.put("output", esc(loc.root().toString()));
    long failed = stats.withStatus("failed");
    v.put("outcome", !summary.path("success").asBoolean()
        ? "<span class=\"bad\">did not succeed</span> (no _SUCCESS: stopped, or the manifest lacks rows)"
        : failed == 0 ? "<span class=\"ok\">finished, every image accounted for</span>"
        // Green "finished" over a release that lacks images would read as done: say how many are missing.
        : "<span class=\"warn\">finished, but " + failed + " of " + stats.rows() + " images failed</span>"
            + " and are not in the release (their rows say why; fix them and run again with --resume)");
    v.put("built_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    v.put("run_table", runTable(summary));
    v.put("settings_table", settingsTable(runSettings));
    v.put("generators", generators(summary));
    v.put("status_table", statusTable(summary, stats));
    v.put("errors", errors(stats));
    v.put("bytes_table", bytesTable(stats.bytes()));
    v.put("samples_note", samplesNote(settings.samples(), stats));
    v.put("samples", samples);
    v.put("manifest_parts", manifestParts(fs, loc));
    v.put("settings_link", runSettings == null ? ""
        : "<li><a href=\"settings.json\">settings.json</a>: the settings that decide the output's bytes (checked on --resume)</li>");
    Path html = loc.report();
    fs.publish(html, ReportHtml.fill(TEMPLATE, v).getBytes(StandardCharsets.UTF_8));
    return html;
  }

  private static JsonNode readJson(FolderStore store, String name) throws IOException {
    try (InputStream in = store.open(name)) {
      return JSON.readTree(in);
    }
  }

  // ---- sections ----

  private static String runTable(JsonNode s) {
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("run id", text(s, "run_id"));
    rows.put("finished", s.path("success").asBoolean() ? "yes (_SUCCESS)" : "no");
    rows.put("resumed", s.path("resumed").asBoolean() ? "yes" : "no");
    rows.put("format", text(s, "format"));
    rows.put("images", text(s, "images"));
    rows.put("annotations", text(s, "annotations"));
    rows.put("selection", text(s.path("settings"), "unseg.input.selection"));
    rows.put("output format", text(s, "output_format")
        + (text(s, "output_format").equals("png") ? "" : ", JPEG quality "
            + (text(s, "jpeg_quality").equals("same") ? "each input's own" : text(s, "jpeg_quality"))));
    rows.put("eps / eps_bg", text(s, "eps") + " / " + text(s, "eps_bg") + " grey levels");
    rows.put("started / finished", text(s, "started_at") + " / " + text(s, "finished_at"));
    rows.put("time", String.format(Locale.ROOT, "%.1f s (%.1f images/s)", s.path("seconds").asDouble(),
        s.path("images_per_second").asDouble()));
    rows.put("config digest", text(s, "config_sha256"));
    rows.put("unseg version", text(s, "unseg_version"));
    return keyValues("summary.json", rows);
  }

  private static String settingsTable(JsonNode settings) {
    if (settings == null) {
      return "<p class=\"muted\">No settings.json (a run made before settings were recorded).</p>";
    }
    Map<String, String> rows = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      String value = e.getValue().asText();
      if (e.getKey().endsWith("key-fingerprint") && value.length() > 16) {
        value = value.substring(0, 16) + "...";
      }
      rows.put(e.getKey(), value.isEmpty() ? "-" : value);
    }
    return keyValues("settings.json", rows);
  }

  private static String generators(JsonNode s) {
    StringBuilder b = new StringBuilder("<table><tr><th>generator</th><th>version</th><th>model digest</th></tr>\n");
    for (JsonNode g : s.path("generators")) {
      b.append("<tr><td>").append(esc(g.path("id").asText())).append("</td><td>").append(esc(g.path("version").asText()))
          .append("</td><td><code>").append(esc(g.path("model_digest").asText("-"))).append("</code></td></tr>\n");
    }
    b.append("</table>\n");
    String id = s.path("generators").path(0).path("id").asText("");
    if (id.contains("synthetic")) {
      b.append("<p class=\"muted\">The built-in synthetic generator is a training-free baseline, not UnSeg.</p>\n");
    }
    if (s.has("generator_loads")) {
      b.append("<p>Generator loads by executor JVMs in the last run: ").append(s.path("generator_loads").asLong())
          .append(".</p>\n");
    }
    return b.toString();
  }

  private static String statusTable(JsonNode s, ManifestStats stats) {
    StringBuilder b = new StringBuilder("<table><tr><th>status</th><th>images</th></tr>\n");
    for (String st : List.of("protected", "no_mask", "failed")) {
      b.append(row(st, stats.withStatus(st)));
    }
    stats.statuses().forEach((st, n) -> {
      if (!List.of("protected", "no_mask", "failed").contains(st)) {
        b.append(row(st, n));
      }
    });
    b.append("<tr><th>manifest rows</th><td class=\"num\">").append(stats.rows()).append("</td></tr>\n");
    b.append("<tr><th>dataset entries</th><td class=\"num\">").append(s.path("entries").asLong()).append("</td></tr>\n");
    b.append("</table>\n");
    b.append("<p class=\"muted\">Files in the images folder that are not images, left out of the release: ")
        .append(s.path("not_images").asLong()).append("; GDAL's sidecars copied into it unchanged: ")
        .append(s.path("sidecars_copied").asLong()).append("; protected images whose mask covers ")
        .append(ManifestStats.DENSE_MASK_PERCENT).append("% or more of the image, where the built-in generator's noise"
            + " is one tint over all of it: ").append(stats.denseMasks()).append("; annotations without an image: ").append(s.path("orphan_annotations").asLong()).append(".</p>\n");
    return b.toString();
  }

  private static String row(String name, long n) {
    return "<tr><td>" + esc(name) + "</td><td class=\"num\">" + n + "</td></tr>\n";
  }

  private static String errors(ManifestStats stats) {
    if (stats.errors().isEmpty()) {
      return "<p class=\"ok\">No image failed.</p>\n";
    }
    StringBuilder b = new StringBuilder("<table><tr><th>error code</th><th>images</th><th>first paths (by name, at most "
        + ERROR_PATHS + ")</th></tr>\n");
    stats.errors().forEach((code, n) -> {
      b.append("<tr><td><code>").append(esc(code)).append("</code></td><td class=\"num\">").append(n).append("</td><td>");
      for (ManifestStats.ErrorPath p : stats.errorPaths()) {
        if (p.code().equals(code)) {
          b.append("<div><span class=\"path\">").append(esc(p.path())).append("</span> <span class=\"muted\">")
              .append(esc(abbreviate(p.message(), 200))).append("</span></div>");
        }
      }
      b.append("</td></tr>\n");
    });
    return b.append("</table>\n").toString();
  }

  private static String bytesTable(ManifestStats.Bytes bytes) {
    long change = bytes.outWritten() - bytes.inWritten();
    String percent = bytes.inWritten() == 0 ? "-"
        : String.format(Locale.ROOT, "%+.1f %%", 100.0 * change / bytes.inWritten());
    return "<table><tr><th></th><th>bytes</th><th></th></tr>\n"
        + "<tr><td>read (every input)</td><td class=\"num\">" + bytes.in() + "</td><td>" + human(bytes.in()) + "</td></tr>\n"
        + "<tr><td>written (images)</td><td class=\"num\">" + bytes.out() + "</td><td>" + human(bytes.out()) + "</td></tr>\n"
        + "<tr><td>size change of the " + bytes.written() + " written images</td><td class=\"num\">" + (change >= 0 ? "+" : "")
        + change + "</td><td>" + percent + "</td></tr>\n</table>\n";
  }

  private static String samplesNote(int asked, ManifestStats stats) {
    if (asked == 0) {
      return "<p class=\"muted\">No sample images (unseg.report.samples = 0).</p>\n";
    }
    return "<p>" + stats.samples().size() + " of the protected images (asked: " + asked + ", unseg.report.samples), the"
        + " same ones every time: those whose input path has the smallest SHA-256. Each at native resolution: the"
        + " original, the protected output, the noise (protected - original) amplified to the full range around grey"
        + " 128, and the eps region (orange) over the dimmed original. Images larger than " + Quadruple.MAX_SIDE
        + " px on a side show their central " + Quadruple.MAX_SIDE + " x " + Quadruple.MAX_SIDE
        + " px window, not a scaled copy.</p>\n";
  }

  private static String samples(Storage fs, OutputLayout loc, FolderStore audit, JsonNode summary,
      List<ManifestStats.Sample> samples, ReportSettings settings, Configuration hadoop) throws IOException {
    if (samples.isEmpty()) {
      return "";
    }
    FolderStore originals = new FolderStore(URI.create(summary.path("images").asText()), hadoop);
    FolderStore written = new FolderStore(loc.path(summary.path("images_in_output").asText()).toUri(), hadoop);
    // 16-bit samples viewed as protect viewed them: the noise is then what protect added.
    ImageCodec codec = new ImageCodec(settings.maxPixels(), JpegCodec.AUTO,
        summary.path("settings").path("unseg.input.sample-bits").asInt(ImageCodec.FULL_SAMPLE_BITS));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < samples.size(); i++) {
      ManifestStats.Sample s = samples.get(i);
      b.append("<h3>").append(i + 1).append(". <span class=\"path\">").append(esc(s.inputPath())).append("</span></h3>\n");
      b.append(String.format(Locale.ROOT, "<p class=\"muted\">%d x %d %s, written as <span class=\"path\">%s</span>; "
              + "L-inf %s inside / %s outside (eps %s / eps_bg %s); PSNR %s / %s dB.",
          s.width(), s.height(), esc(s.format()), esc(s.outputPath()), str(s.linfInside()), str(s.linfOutside()),
          Charts.number(s.eps()), Charts.number(s.epsBg()), db(s.psnrInside()), db(s.psnrOutside())));
      String maskPath = ProtectionSettings.maskPath(s.inputPath());
      StringBuilder shown = new StringBuilder();
      try {
        boolean hasMask = audit.exists(maskPath);
        Quadruple.Pictures q = Quadruple.of(codec, originals.read(s.inputPath(), settings.maxFileBytes()), s.inputPath(),
            written.read(s.outputPath(), settings.maxFileBytes()), s.outputPath(),
            hasMask ? audit.read(maskPath, settings.maxFileBytes()) : null, s.epsBg());
        shown.append(q.cropped() ? String.format(Locale.ROOT, " Shown: the central %d x %d window (from x %d, y %d).",
            q.width(), q.height(), q.x0(), q.y0()) : "").append("</p>\n<div class=\"row\">\n");
        String stem = "sample-" + (i + 1) + "-";
        String[][] pictures = {
            {"original", "original"},
            {"protected", "protected"},
            {"noise", q.maxDiff() == 0 ? "noise: none (identical)" : String.format(Locale.ROOT,
                "noise x%.1f around grey 128 (a difference of %d grey levels shows as 0 or 255)", q.scale(), q.maxDiff())},
            {"region", (hasMask ? "eps region: the written mask (" : "eps region: |protected - original| > eps_bg, recomputed (no mask written; ")
                + q.regionPixels() + " px shown)"}};
        byte[][] data = {q.original(), q.protectedImage(), q.noise(), q.region()};
        // The four PNGs at once (their encoding is most of a sample's time); the decoded images, the
        // large part of a sample's memory, stay one sample at a time.
        byte[][] png = java.util.stream.IntStream.range(0, 4).parallel()
            .mapToObj(k -> ReportHtml.png(ReportHtml.rgbImage(data[k], q.width(), q.height()))).toArray(byte[][]::new);
        for (int k = 0; k < 4; k++) {
          if (k == 2) { // two pairs: original and protected side by side, then noise and region
            shown.append("</div>\n<div class=\"row\">\n");
          }
          String name = stem + pictures[k][0] + ".png";
          String file = OutputLayout.REPORT_FILES + name; // relative to report.html
          fs.publish(loc.reportFile(name), png[k]);
          shown.append(String.format(Locale.ROOT, "<figure><img src=\"%s\" width=\"%d\" height=\"%d\" alt=\"%s\">"
              + "<figcaption>%s</figcaption></figure>\n", esc(file), q.width(), q.height(), pictures[k][0],
              esc(pictures[k][1])));
        }
        b.append(shown).append("</div>\n");
      } catch (Exception e) { // one unreadable sample (original moved, say) does not lose the report
        b.append("</p>\n<p class=\"bad\">Could not be shown: ").append(esc(abbreviate(e.getMessage() == null
            ? e.toString() : e.getMessage(), 300))).append("</p>\n");
      }
    }
    return b.toString();
  }

  private static String manifestParts(Storage fs, OutputLayout loc) throws IOException {
    Path[] parts = fs.children(loc.manifest()).stream().filter(p -> p.getName().endsWith(".parquet"))
        .sorted(java.util.Comparator.comparing(Path::getName)).toArray(Path[]::new);
    List<String> links = new ArrayList<>();
    for (int i = 0; i < Math.min(3, parts.length); i++) {
      String name = parts[i].getName();
      links.add("<a href=\"manifest/" + esc(name) + "\">" + esc(name) + "</a>");
    }
    return parts.length + " Parquet file" + (parts.length == 1 ? "" : "s") + (links.isEmpty() ? "" : ": " + String.join(", ", links))
        + (parts.length > 3 ? ", ..." : "");
  }

  // ---- formatting ----

  private static String keyValues(String caption, Map<String, String> rows) {
    StringBuilder b = new StringBuilder("<table><tr><th colspan=\"2\">" + esc(caption) + "</th></tr>\n");
    rows.forEach((k, val) -> b.append("<tr><td>").append(esc(k)).append("</td><td class=\"path\">").append(esc(val))
        .append("</td></tr>\n"));
    return b.append("</table>\n").toString();
  }

  private static String text(JsonNode s, String field) {
    JsonNode n = s.path(field);
    return n.isMissingNode() || n.isNull() ? "-" : n.asText();
  }

  private static String str(Integer v) {
    return v == null ? "-" : v.toString();
  }

  private static String db(Double v) {
    return v == null ? "-" : v.isInfinite() ? "inf" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  private static String esc(String s) {
    return ReportHtml.escape(s);
  }
}
