package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.ConfigException;
import dev.unseg.jobs.evaluate.Defense;
import dev.unseg.jobs.evaluate.EvaluateSettings;
import dev.unseg.jobs.evaluate.Evaluation;
import dev.unseg.jobs.evaluate.EvaluationResult;
import dev.unseg.jobs.evaluate.ProbeSettings;
import dev.unseg.jobs.evaluate.ReportWriter;
import dev.unseg.jobs.evaluate.SyntheticDataset;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code unseg evaluate} and {@code unseg make-dataset}: flags to settings, and the console lines. */
final class EvaluateCommands {
  static final List<CommandLine.Flag> EVALUATE_FLAGS = List.of(
      new CommandLine.Flag("--format", "unseg.evaluate.format", true, "mask-pairs (the only one for now)"),
      new CommandLine.Flag("--clean", "unseg.evaluate.clean", true, "folder of the clean images (local path)"),
      new CommandLine.Flag("--masks", "unseg.evaluate.masks", true, "folder of their masks ({dir}{stem}.png)"),
      new CommandLine.Flag("--protected", "unseg.evaluate.protected", true, "the protect job's --output (local path)"),
      new CommandLine.Flag("--sample", "unseg.evaluate.sample", true, "training images"),
      new CommandLine.Flag("--test", "unseg.evaluate.test", true, "held-out clean test images"),
      new CommandLine.Flag("--epochs", "unseg.evaluate.epochs", true, "training epochs"),
      new CommandLine.Flag("--size", "unseg.evaluate.size", true, "probe input side in pixels (multiple of 4)"),
      new CommandLine.Flag("--defense", "unseg.evaluate.defense", true, "none|jpeg:Q|blur:SIGMA on the protected training images"),
      new CommandLine.Flag("--seed", "unseg.evaluate.seed", true, "seed of the split, the weights and the data order"),
      new CommandLine.Flag("--repeats", "unseg.evaluate.repeats", true, "trainings a side (seeds seed, seed+1, ...): measures run-to-run noise"),
      new CommandLine.Flag("--run-id", "unseg.evaluate.run", true, "report folder name"));
  static final List<CommandLine.Flag> DATASET_FLAGS = List.of(
      new CommandLine.Flag("--photos", "unseg.make-dataset.photos", true, "comma-separated folders of real photos"),
      new CommandLine.Flag("--output", "unseg.make-dataset.output", true, "where images/ and masks/ go"),
      new CommandLine.Flag("--count", "unseg.make-dataset.count", true, "images to make"),
      new CommandLine.Flag("--size", "unseg.make-dataset.size", true, "image side in pixels"),
      new CommandLine.Flag("--seed", "unseg.make-dataset.seed", true, "seed"));

  private EvaluateCommands() {}

  static int evaluate(String[] args, PrintStream out) throws Exception {
    CommandLine cl = CommandLine.parse(args, 1, EVALUATE_FLAGS);
    if (cl.help()) {
      out.println(CommandLine.usage("usage: unseg evaluate --clean DIR --masks DIR --protected DIR [options]", EVALUATE_FLAGS));
      return 0;
    }
    Config c = cl.config().getConfig("unseg.evaluate");
    if (!c.getString("format").equals("mask-pairs")) {
      throw new ConfigException("unseg.evaluate.format: only mask-pairs is supported for now (--format)");
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

  static int makeDataset(String[] args, PrintStream out) throws Exception {
    CommandLine cl = CommandLine.parse(args, 1, DATASET_FLAGS);
    if (cl.help()) {
      out.println(CommandLine.usage("usage: unseg make-dataset --output DIR [options]", DATASET_FLAGS));
      return 0;
    }
    Config c = cl.config().getConfig("unseg.make-dataset");
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
      throw new ConfigException("unseg.evaluate/make-dataset: --" + key + " is required");
    }
    if (v.contains("://") && !v.startsWith("file://")) {
      throw new ConfigException("--" + key + " " + v + ": evaluate reads local paths only for now");
    }
    return Path.of(v.startsWith("file://") ? v.substring(7) : v);
  }
}
