package dev.unseg.jobs.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.report.ReportHtml;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * Writes an evaluation under {@code <protected>/_unseg/evaluation/<run>/}: report.json (every
 * number), curves.png (loss and clean-test IoU per epoch of both trainings), triples/ (clean,
 * protected, noise amplified x16 around grey) and report.html showing them.
 */
public final class ReportWriter {
  private static final int AMPLIFY = 16;

  private ReportWriter() {}

  public static Path write(EvaluationResult r) throws IOException {
    Path dir = Files.createDirectories(r.settings().reportDir());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json(r));
    ImageIO.write(curves(r), "png", dir.resolve("curves.png").toFile());
    Path triples = Files.createDirectories(dir.resolve("triples"));
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < r.examples().size(); i++) {
      TrainingPair p = r.examples().get(i);
      ImageIO.write(p.clean().image(), "png", triples.resolve(i + "-clean.png").toFile());
      ImageIO.write(p.protectedImage().image(), "png", triples.resolve(i + "-protected.png").toFile());
      ImageIO.write(amplified(p).image(), "png", triples.resolve(i + "-noise.png").toFile());
      rows.append(String.format(Locale.ROOT,
          "<tr><td>%s</td><td><img src=\"triples/%d-clean.png\" width=160></td><td><img src=\"triples/%d-protected.png\" width=160></td><td><img src=\"triples/%d-noise.png\" width=160></td></tr>%n",
          escape(p.path()), i, i, i));
    }
    Files.writeString(dir.resolve("report.html"), html(r, rows.toString()), StandardCharsets.UTF_8);
    return dir;
  }

  static ObjectNode json(EvaluationResult r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    EvaluateSettings s = r.settings();
    ObjectNode set = root.putObject("settings");
    set.put("run", s.runId());
    set.put("clean_images", s.cleanImages().toString());
    set.put("masks", s.masks().toString());
    set.put("protected", s.protectedRoot().toString());
    set.put("train_images", r.trainImages().size());
    set.put("test_images", r.testImages().size());
    set.put("size", s.size());
    set.put("defense", s.defense().toString());
    set.put("epochs", s.probe().epochs());
    set.put("batch_size", s.probe().batchSize());
    set.put("learning_rate", s.probe().learningRate());
    set.put("base_channels", s.probe().baseChannels());
    set.put("seed", s.probe().seed());
    set.put("repeats", s.repeats());
    set.put("labels", "union mask: object (1) vs background (0)");
    ObjectNode res = root.putObject("result");
    res.put("object_iou_clean", r.objectIouClean());
    res.put("object_iou_protected", r.objectIouProtected());
    res.put("object_iou_drop", r.objectDrop());
    res.put("miou_clean", r.miouClean());
    res.put("miou_protected", r.miouProtected());
    res.put("miou_drop", r.miouDrop());
    res.put("background_iou_clean", r.backgroundIouClean());
    res.put("background_iou_protected", r.backgroundIouProtected());
    res.put("object_iou_spread", r.objectIouSpread());
    res.put("noise_mean_abs_inside", r.noiseInside());
    res.put("noise_mean_abs_outside", r.noiseOutside());
    curve(root.putObject("clean_training"), r.clean());
    curve(root.putObject("protected_training"), r.protectedCurve());
    runs(root.putArray("clean_trainings"), r.cleanRuns(), s.probe().seed());
    runs(root.putArray("protected_trainings"), r.protectedRuns(), s.probe().seed());
    ArrayNode test = root.putArray("test_images");
    r.testImages().forEach(test::add);
    ArrayNode train = root.putArray("train_images");
    r.trainImages().forEach(train::add);
    return root;
  }

  /** Every repeat's training, with its seed. */
  private static void runs(ArrayNode array, List<Curve> runs, long seed) {
    for (int k = 0; k < runs.size(); k++) {
      ObjectNode node = array.addObject();
      node.put("seed", seed + k);
      curve(node, runs.get(k));
    }
  }

  private static void curve(ObjectNode node, Curve c) {
    node.put("seconds", c.seconds());
    ArrayNode loss = node.putArray("loss");
    c.loss().forEach(loss::add);
    ArrayNode obj = node.putArray("object_iou");
    ArrayNode bg = node.putArray("background_iou");
    ArrayNode miou = node.putArray("miou");
    for (IoU i : c.test()) {
      obj.add(i.object());
      bg.add(i.background());
      miou.add(i.mean());
    }
  }

  /** (protected - clean) x16 around mid grey: where the noise is, and what shape it has. */
  private static Rgb amplified(TrainingPair p) {
    return new Rgb(p.clean().width(), p.clean().height(),
        ReportHtml.amplifiedNoise(p.clean().hwc(), p.protectedImage().hwc(), AMPLIFY));
  }

  private static BufferedImage curves(EvaluationResult r) {
    BufferedImage img = new BufferedImage(960, 360, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 960, 360);
    double maxLoss = Math.max(max(r.clean().loss()), max(r.protectedCurve().loss()));
    panel(g, 0, "training loss", maxLoss, r, c -> c.loss());
    panel(g, 480, "clean-test object IoU (solid) and mIoU (dashed)", 1.0, r,
        c -> c.test().stream().map(IoU::object).toList());
    Graphics2D dashed = (Graphics2D) g.create();
    dashed.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    line(dashed, 480, 1.0, r.clean().test().stream().map(IoU::mean).toList(), new Color(0, 90, 200));
    line(dashed, 480, 1.0, r.protectedCurve().test().stream().map(IoU::mean).toList(), new Color(210, 60, 0));
    dashed.dispose();
    g.setColor(new Color(0, 90, 200));
    g.drawString("clean training", 60, 350);
    g.setColor(new Color(210, 60, 0));
    g.drawString("protected training (" + r.settings().defense() + ")", 200, 350);
    g.dispose();
    return img;
  }

  private static void panel(Graphics2D g, int x0, String title, double yMax, EvaluationResult r,
      Function<Curve, List<Double>> values) {
    g.setColor(Color.BLACK);
    g.drawString(title, x0 + 50, 20);
    g.drawRect(x0 + 50, 30, 400, 280);
    g.drawString(String.format(Locale.ROOT, "%.2f", yMax), x0 + 8, 38);
    g.drawString("0", x0 + 38, 312);
    g.drawString("epoch", x0 + 230, 328);
    g.setStroke(new BasicStroke(2f));
    line(g, x0, yMax, values.apply(r.clean()), new Color(0, 90, 200));
    line(g, x0, yMax, values.apply(r.protectedCurve()), new Color(210, 60, 0));
  }

  private static void line(Graphics2D g, int x0, double yMax, List<Double> v, Color c) {
    g.setColor(c);
    int n = v.size();
    for (int i = 0; i < n; i++) {
      int x = x0 + 50 + (n == 1 ? 200 : i * 400 / (n - 1));
      int y = 310 - (int) Math.round(280 * Math.min(1, v.get(i) / yMax));
      g.fillOval(x - 3, y - 3, 6, 6);
      if (i > 0) {
        int px = x0 + 50 + (i - 1) * 400 / (n - 1);
        int py = 310 - (int) Math.round(280 * Math.min(1, v.get(i - 1) / yMax));
        g.drawLine(px, py, x, y);
      }
    }
  }

  private static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(1);
  }

  private static String html(EvaluationResult r, String rows) {
    return String.format(Locale.ROOT, """
        <!doctype html><html><head><meta charset="utf-8"><title>unseg evaluate %s</title><style>%s</style></head><body>
        <h1>Does it protect? (run %s)</h1>
        <p>The same U-Net, trained from the same seeds (%d trainings a side) on %d clean and on the same %d
        protected training images (defence: %s), tested on %d held-out clean images (%d px, %d epochs).
        IoU figures are means over the trainings; run-to-run spread of the object IoU: %.3f.</p>
        <table border=1 cellpadding=4>
        <tr><th></th><th>object IoU</th><th>background IoU</th><th>mIoU</th></tr>
        <tr><td>trained on clean</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>
        <tr><td>trained on protected</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>
        <tr><td>relative drop</td><td>%.1f%%</td><td></td><td>%.1f%%</td></tr>
        </table>
        <p>Mean |protected - clean| of the training images: %.2f grey levels inside the masks, %.2f outside.</p>
        <h2>Curves</h2><img src="curves.png">
        <h2>Training images: clean, protected, noise x%d</h2>
        <table>%s</table>
        <p>Every number: <a href="report.json">report.json</a>.</p>
        </body></html>
        """, escape(r.settings().runId()), ReportHtml.STYLE, escape(r.settings().runId()), r.settings().repeats(),
        r.trainImages().size(), r.trainImages().size(),
        escape(r.settings().defense().toString()), r.testImages().size(), r.settings().size(), r.settings().probe().epochs(),
        r.objectIouSpread(),
        r.objectIouClean(), r.backgroundIouClean(), r.miouClean(),
        r.objectIouProtected(), r.backgroundIouProtected(), r.miouProtected(),
        100 * r.objectDrop(), 100 * r.miouDrop(), r.noiseInside(), r.noiseOutside(), AMPLIFY, rows);
  }

  private static String escape(String s) {
    return ReportHtml.escape(s);
  }
}
