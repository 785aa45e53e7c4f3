package dev.unseg.jobs.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.report.ReportHtml;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes an evaluation under {@code <protected>/_unseg/evaluation/<run>/} (or {@code --report}): report.json (every
 * number: settings, every training's loss and clean-test scores per epoch, per-class IoU, peaks,
 * drops, spreads), one curves PNG per network and side against its clean side, triples/ (clean,
 * protected, noise amplified x16 around grey, at the images' own size) and report.html showing them; and the
 * console's headline table ({@link #table}).
 */
public final class ReportWriter {
  private static final int AMPLIFY = 16;

  private ReportWriter() {}

  /**
   * Writes the report under {@code settings().report()} (any URI), each file published whole.
   *
   * @return the report's HTML page
   */
  public static org.apache.hadoop.fs.Path write(EvaluationResult r, Configuration hadoop) throws IOException {
    URI dir = Locations.directory(Locations.qualify(r.settings().report()));
    Storage storage = Storage.of(dir, hadoop);
    removePreviousPictures(storage, dir);
    storage.publish(child(dir, "report.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json(r)));
    StringBuilder curves = new StringBuilder();
    for (Side side : r.sides()) {
      if (side.name().equals("clean")) {
        continue;
      }
      String file = "curves-" + side.model() + "-" + side.name().replaceAll("[^A-Za-z0-9.+-]", "_") + ".png";
      storage.publish(child(dir, file), ReportHtml.png(curves(r.clean(side.model()), side)));
      curves.append("<img src=\"").append(file).append("\">\n");
    }
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < r.examples().size(); i++) {
      TrainingPair p = r.examples().get(i);
      storage.publish(child(dir, "triples/" + i + "-clean.png"), ReportHtml.png(p.clean().image()));
      storage.publish(child(dir, "triples/" + i + "-protected.png"), ReportHtml.png(p.protectedImage().image()));
      storage.publish(child(dir, "triples/" + i + "-noise.png"), ReportHtml.png(amplified(p).image()));
      rows.append(String.format(Locale.ROOT,
          "<tr><td>%s<br>%dx%d</td><td><img src=\"triples/%d-clean.png\"></td><td><img src=\"triples/%d-protected.png\"></td>"
              + "<td><img src=\"triples/%d-noise.png\"></td></tr>%n",
          escape(p.path()), p.clean().width(), p.clean().height(), i, i, i));
    }
    org.apache.hadoop.fs.Path html = child(dir, "report.html");
    storage.publish(html, html(r, curves.toString(), rows.toString()).getBytes(StandardCharsets.UTF_8));
    return html;
  }

  /**
   * A report written again under the same run id (--run-id) replaces the pictures of the one before, so
   * that the folder holds one report's files, not curves of sides the new run did not train. Only the
   * files this writer makes are removed: a --report folder may hold others.
   */
  private static void removePreviousPictures(Storage storage, URI dir) throws IOException {
    for (org.apache.hadoop.fs.Path p : storage.children(new org.apache.hadoop.fs.Path(dir))) {
      if (p.getName().startsWith("curves-") && p.getName().endsWith(".png")) {
        storage.delete(p, false);
      }
    }
    storage.delete(child(dir, "triples"), true);
  }

  private static org.apache.hadoop.fs.Path child(URI dir, String name) {
    return new org.apache.hadoop.fs.Path(dir.resolve(name));
  }

  /** The headline table: per network and side, peak and last object mIoU (means over the runs), drops, spread. */
  public static String table(EvaluationResult r) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-8s %-24s %6s %6s %7s %6s %7s %7s %9s%n",
        "model", "training images", "peak", "last", "drop", "spread", "objIoU", "pixAcc", "noise in/out"));
    for (Side s : r.sides()) {
      boolean clean = s.name().equals("clean");
      b.append(String.format(Locale.ROOT, "%-8s %-24s %6.3f %6.3f %7s %6.3f %7.3f %7.3f %5.1f/%.1f%n", s.model(), s.name(),
          s.peak(), s.last(), clean ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * r.peakDrop(s)), s.peakSpread(),
          s.mean(c -> c.best().objectIou()), s.mean(c -> c.best().pixelAccuracy()), s.noiseInside(), s.noiseOutside()));
    }
    b.append("peak/last = object mIoU (background excluded) on the clean test set at the best/last epoch, mean of ")
        .append(r.settings().repeats()).append(" training(s); drop = of the peak against the clean side; spread = max-min of the peaks");
    return b.toString();
  }

  static ObjectNode json(EvaluationResult r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    EvaluateSettings s = r.settings();
    Recipe rc = s.recipe();
    ObjectNode set = root.putObject("settings");
    set.put("run", s.runId());
    set.put("format", s.clean().format().cliName());
    set.put("clean_images", s.clean().images());
    set.put("annotations", s.clean().annotations());
    set.put("protected", r.protectedCopies());
    set.putPOJO("protect_settings", s.run() == null ? null : s.run().asMap());
    set.put("labels", s.labels().toString());
    set.put("train_images", r.trainImages().size());
    set.put("test_images", r.testImages().size());
    set.put("base_size", rc.baseSize());
    set.put("crop", rc.crop());
    set.put("rescale_min", rc.scaleMin());
    set.put("rescale_max", rc.scaleMax());
    set.put("epochs", rc.epochs());
    set.put("batch_size", rc.batchSize());
    set.put("learning_rate", rc.learningRate());
    set.put("weight_decay", rc.weightDecay());
    set.put("base_channels", rc.baseChannels());
    set.put("optimizer", "AdamW, poly decay (power 0.9)");
    set.put("seed", rc.seed());
    set.put("repeats", s.repeats());
    set.put("clean_fraction", s.cleanFraction());
    set.put("controls", s.controls());
    set.put("control_eps", s.controlEps());
    ArrayNode models = set.putArray("models");
    s.models().forEach(models::add);
    ArrayNode defenses = set.putArray("defenses");
    s.defenses().forEach(d -> defenses.add(d.toString()));
    r.warnings().forEach(root.putArray("warnings")::add);
    ArrayNode classes = root.putArray("classes");
    r.classNames().forEach(classes::add);
    ArrayNode sides = root.putArray("sides");
    for (Side side : r.sides()) {
      ObjectNode n = sides.addObject();
      n.put("model", side.model());
      n.put("name", side.name());
      n.put("peak_object_miou", side.peak());
      n.put("last_object_miou", side.last());
      n.put("peak_object_iou", side.mean(c -> c.best().objectIou()));
      n.put("last_object_iou", side.mean(c -> c.last().objectIou()));
      n.put("peak_pixel_accuracy", side.mean(c -> c.best().pixelAccuracy()));
      n.put("last_pixel_accuracy", side.mean(c -> c.last().pixelAccuracy()));
      n.put("peak_spread", side.peakSpread());
      n.put("last_spread", side.spread(c -> c.last().objectMiou()));
      if (!side.name().equals("clean")) {
        n.put("peak_drop", r.peakDrop(side));
        n.put("last_drop", r.lastDrop(side));
        n.put("spread_against_clean", r.peakSpread(side));
      }
      n.put("noise_mean_abs_inside", side.noiseInside());
      n.put("noise_mean_abs_outside", side.noiseOutside());
      doubles(n.putArray("peak_class_iou"), side.peakClassIou());
      ArrayNode runs = n.putArray("runs");
      for (int k = 0; k < side.runs().size(); k++) {
        Curve c = side.runs().get(k);
        ObjectNode run = runs.addObject();
        run.put("seed", rc.seed() + k);
        run.put("seconds", c.seconds());
        run.put("best_epoch", c.bestEpoch() + 1);
        ArrayNode loss = run.putArray("loss");
        c.loss().forEach(loss::add);
        ArrayNode miou = run.putArray("object_miou");
        ArrayNode obj = run.putArray("object_iou");
        ArrayNode acc = run.putArray("pixel_accuracy");
        ArrayNode per = run.putArray("class_iou");
        for (Scores sc : c.test()) {
          miou.add(sc.objectMiou());
          obj.add(sc.objectIou());
          acc.add(sc.pixelAccuracy());
          doubles(per.addArray(), sc.classIou());
        }
      }
    }
    ArrayNode test = root.putArray("test_images");
    r.testImages().forEach(test::add);
    ArrayNode train = root.putArray("train_images");
    r.trainImages().forEach(train::add);
    ObjectNode skipped = root.putObject("skipped_images");
    r.skipped().forEach(skipped::put);
    return root;
  }

  private static void doubles(ArrayNode a, double[] v) {
    for (double d : v) {
      a.add(d);
    }
  }

  /** (protected - clean) x16 around mid grey: where the noise is, and what shape it has. */
  private static Rgb amplified(TrainingPair p) {
    return new Rgb(p.clean().width(), p.clean().height(),
        ReportHtml.amplifiedNoise(p.clean().hwc(), p.protectedImage().hwc(), AMPLIFY));
  }

  /** Clean-test object mIoU per epoch, every run: the clean side in blue, the other in red. */
  private static BufferedImage curves(Side clean, Side other) {
    BufferedImage img = new BufferedImage(480, 360, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 480, 360);
    g.setColor(Color.BLACK);
    g.drawString(other.model() + ": clean-test object mIoU per epoch", 50, 20);
    g.drawRect(50, 30, 400, 280);
    g.drawString("1.0", 20, 38);
    g.drawString("0", 38, 312);
    g.drawString("epoch", 230, 328);
    g.setStroke(new BasicStroke(1.5f));
    for (Curve c : clean.runs()) {
      line(g, c.test().stream().map(Scores::objectMiou).toList(), new Color(0, 90, 200));
    }
    for (Curve c : other.runs()) {
      line(g, c.test().stream().map(Scores::objectMiou).toList(), new Color(210, 60, 0));
    }
    g.setColor(new Color(0, 90, 200));
    g.drawString("clean", 60, 350);
    g.setColor(new Color(210, 60, 0));
    g.drawString(other.name(), 140, 350);
    g.dispose();
    return img;
  }

  private static void line(Graphics2D g, List<Double> v, Color c) {
    g.setColor(c);
    int n = v.size();
    for (int i = 0; i < n; i++) {
      int x = 50 + (n == 1 ? 200 : i * 400 / (n - 1));
      int y = 310 - (int) Math.round(280 * Math.min(1, Double.isNaN(v.get(i)) ? 0 : v.get(i)));
      g.fillOval(x - 2, y - 2, 4, 4);
      if (i > 0) {
        int px = 50 + (i - 1) * 400 / (n - 1);
        int py = 310 - (int) Math.round(280 * Math.min(1, Double.isNaN(v.get(i - 1)) ? 0 : v.get(i - 1)));
        g.drawLine(px, py, x, y);
      }
    }
  }

  private static String html(EvaluationResult r, String curves, String rows) {
    EvaluateSettings s = r.settings();
    StringBuilder head = new StringBuilder("<tr><th>model</th><th>training images</th><th>peak object mIoU</th><th>last</th>"
        + "<th>drop (peak)</th><th>spread</th><th>object IoU</th><th>pixel acc.</th>");
    for (int c = 0; c < r.classNames().size(); c++) {
      head.append("<th>IoU ").append(escape(r.classNames().get(c))).append("</th>");
    }
    head.append("</tr>\n");
    StringBuilder body = new StringBuilder();
    for (Side side : r.sides()) {
      body.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>",
          escape(side.model()), escape(side.name()), side.peak(), side.last(),
          side.name().equals("clean") ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * r.peakDrop(side)), side.peakSpread(),
          side.mean(c -> c.best().objectIou()), side.mean(c -> c.best().pixelAccuracy())));
      for (double v : side.peakClassIou()) {
        body.append(String.format(Locale.ROOT, "<td>%.3f</td>", v));
      }
      body.append("</tr>\n");
    }
    return String.format(Locale.ROOT, """
        <!doctype html><html><head><meta charset="utf-8"><title>unseg evaluate %s</title><style>%s</style></head><body>
        <h1>Does it protect? (run %s)</h1>
        <p>Each network trained from the same seeds (%d training(s) a side) on %d training images, clean and in every
        other version listed, with the same labels (%s: %d classes with background), the usual recipe (base %d px, random
        rescale %.1f-%.1f, crop %d, flip, photometric jitter, AdamW with poly decay, %d epochs, batch %d), and tested on %d
        held-out clean images at %d px. Scores are means over the trainings; "peak" is each training's best epoch on the clean
        test set (what early stopping would keep: the headline), "last" its last epoch. Object mIoU excludes background;
        spread is the max-min of the peaks, the run-to-run noise a drop has to exceed. Clean share of protected trainings: %.0f%%.
        Protected training images: %s.</p>
        %s<table border=1 cellpadding=4>
        %s%s</table>
        <h2>Curves</h2>%s
        <h2>Training images (base size): clean, protected, noise x%d</h2>
        <table>%s</table>
        <p>Every number: <a href="report.json">report.json</a>.</p>
        </body></html>
        """, escape(s.runId()), ReportHtml.STYLE, escape(s.runId()), s.repeats(), r.trainImages().size(),
        escape(s.labels().toString()), r.classNames().size(), s.recipe().baseSize(), s.recipe().scaleMin(), s.recipe().scaleMax(),
        s.recipe().crop(), s.recipe().epochs(), s.recipe().batchSize(), r.testImages().size(), s.recipe().baseSize(),
        100 * s.cleanFraction(), escape(r.protectedCopies() == null ? "none (the controls alone)" : r.protectedCopies()),
        r.warnings().stream().map(w -> "<p class=\"warn\">Warning: " + escape(w) + "</p>\n").collect(Collectors.joining()), head, body,
        curves, AMPLIFY, rows);
  }

  private static String escape(String str) {
    return ReportHtml.escape(str);
  }
}
