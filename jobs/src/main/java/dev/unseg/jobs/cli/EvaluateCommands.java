package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import dev.unseg.jobs.evaluate.Defense;
import dev.unseg.jobs.evaluate.EvaluateSettings;
import dev.unseg.jobs.evaluate.Evaluation;
import dev.unseg.jobs.evaluate.EvaluationResult;
import dev.unseg.jobs.evaluate.ProbeSettings;
import dev.unseg.jobs.evaluate.ReportWriter;
import dev.unseg.jobs.evaluate.SyntheticDataset;
import dev.unseg.pipeline.error.UserError;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code unseg evaluate} and {@code unseg make-dataset}: flags to settings, and the console lines. */
final class EvaluateCommands {
  static final List<Command.Flag> EVALUATE_FLAGS = List.of(
      new Command.Flag("--format", "unseg.evaluate.format", "FORMAT", "mask-pairs (the only one for now)"),
      new Command.Flag("--clean", "unseg.evaluate.clean", "DIR", "folder of the clean images (local path)"),
      new Command.Flag("--masks", "unseg.evaluate.masks", "DIR", "folder of their masks ({dir}{stem}.png)"),
      new Command.Flag("--protected", "unseg.evaluate.protected", "DIR", "the protect job's --output (local path)"),
      new Command.Flag("--sample", "unseg.evaluate.sample", "N", "training images"),
      new Command.Flag("--test", "unseg.evaluate.test", "N", "held-out clean test images"),
      new Command.Flag("--epochs", "unseg.evaluate.epochs", "N", "training epochs"),
      new Command.Flag("--size", "unseg.evaluate.size", "PX", "probe input side in pixels (multiple of 4)"),
      new Command.Flag("--defense", "unseg.evaluate.defense", "DEFENCE", "none|jpeg:Q|blur:SIGMA on the protected training images"),
      new Command.Flag("--seed", "unseg.evaluate.seed", "N", "seed of the split, the weights and the data order"),
      new Command.Flag("--repeats", "unseg.evaluate.repeats", "N", "trainings a side (seeds seed, seed+1, ...): measures run-to-run noise"),
      new Command.Flag("--run-id", "unseg.evaluate.run", "NAME", "report folder name"));
  static final List<Command.Flag> DATASET_FLAGS = List.of(
      new Command.Flag("--photos", "unseg.make-dataset.photos", "DIRS", "comma-separated folders of real photos"),
      new Command.Flag("--output", "unseg.make-dataset.output", "DIR", "where images/ and masks/ go"),
      new Command.Flag("--count", "unseg.make-dataset.count", "N", "images to make"),
      new Command.Flag("--size", "unseg.make-dataset.size", "PX", "image side in pixels"),
      new Command.Flag("--seed", "unseg.make-dataset.seed", "N", "seed"));

  private EvaluateCommands() {}

  static int evaluate(Config config, PrintStream out) throws Exception {
    Config c = config.getConfig("unseg.evaluate");
    if (!c.getString("format").equals("mask-pairs")) {
      throw new UserError("unseg.evaluate.format: only mask-pairs is supported for now (--format)");
    }
    Defense defense = Defense.parse(c.getString("defense"));
    long seed = c.getLong("seed");
    String run = c.getString("run").isEmpty()
        ? defense.toString().replace(':', '-') + "-seed" + seed + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        : c.getString("run");
    EvaluateSettings s = new EvaluateSettings(required(c, "clean"), required(c, "masks"), required(c, "protected"),
        c.getInt("sample"), c.getInt("test"), c.getInt("size"), defense,
        new ProbeSettings(c.getInt("epochs"), c.getInt("batch-size"), (float) c.getDouble("learning-rate"),
            c.getInt("base-channels"), seed), c.getInt("repeats"), run);
    EvaluationResult r = new Evaluation(s, System.err).run();
    Path dir = ReportWriter.write(r);
    out.printf(Locale.ROOT, "trained on %d images, tested on %d clean images, defence %s%n",
        r.trainImages().size(), r.testImages().size(), defense);
    out.printf(Locale.ROOT, "object IoU: clean %.3f, protected %.3f, drop %.1f%%%n",
        r.objectIouClean(), r.objectIouProtected(), 100 * r.objectDrop());
    out.printf(Locale.ROOT, "mIoU:       clean %.3f, protected %.3f, drop %.1f%%%n",
        r.miouClean(), r.miouProtected(), 100 * r.miouDrop());
    if (s.repeats() > 1) {
      out.printf(Locale.ROOT, "means of %d trainings a side; run-to-run spread of the object IoU %.3f%n",
          s.repeats(), r.objectIouSpread());
    }
    out.println("report: " + dir.resolve("report.html"));
    return 0;
  }

  static int makeDataset(Config config, PrintStream out) throws Exception {
    Config c = config.getConfig("unseg.make-dataset");
    Path output = required(c, "output");
    List<Path> photos = Arrays.stream(c.getString("photos").split(",")).map(String::trim).map(Path::of).toList();
    new SyntheticDataset(SyntheticDataset.readPhotos(photos), c.getInt("size"), c.getLong("seed"))
        .write(output, c.getInt("count"));
    out.printf("wrote %d image/mask pairs to %s/images and %s/masks%n", c.getInt("count"), output, output);
    return 0;
  }

  private static Path required(Config c, String key) {
    String v = c.getString(key);
    if (v.isEmpty()) {
      throw new UserError("unseg.evaluate/make-dataset: --" + key + " is required");
    }
    if (v.contains("://") && !v.startsWith("file://")) {
      throw new UserError("--" + key + " " + v + ": evaluate reads local paths only for now");
    }
    return Path.of(v.startsWith("file://") ? v.substring(7) : v);
  }
}
