package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.ConfigException;
import dev.unseg.jobs.evaluate.EvaluateSettings;
import dev.unseg.jobs.evaluate.Evaluation;
import dev.unseg.jobs.evaluate.EvaluationResult;
import dev.unseg.jobs.evaluate.ReportWriter;
import dev.unseg.jobs.evaluate.SceneDataset;
import dev.unseg.jobs.evaluate.SyntheticDataset;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code unseg evaluate} and {@code unseg make-dataset}: flags to settings, and the console lines. */
final class EvaluateCommands {
  static final List<CommandLine.Flag> EVALUATE_FLAGS = List.of(
      new CommandLine.Flag("--format", "unseg.evaluate.format", true, "coco (class maps) or mask-pairs (binary)"),
      new CommandLine.Flag("--clean", "unseg.evaluate.clean", true, "folder of the clean images (local path)"),
      new CommandLine.Flag("--annotations", "unseg.evaluate.annotations", true, "the instances JSON (coco) or the masks folder"),
      new CommandLine.Flag("--masks", "unseg.evaluate.annotations", true, "the masks folder of mask pairs ({dir}{stem}.png)"),
      new CommandLine.Flag("--protected", "unseg.evaluate.protected", true, "the protect job's --output (local path)"),
      new CommandLine.Flag("--labels", "unseg.evaluate.labels", true, "classes|binary|top:K"),
      new CommandLine.Flag("--sample", "unseg.evaluate.sample", true, "training images"),
      new CommandLine.Flag("--test", "unseg.evaluate.test", true, "held-out clean test images"),
      new CommandLine.Flag("--model", "unseg.evaluate.model", true, "unet|deeplab|both"),
      new CommandLine.Flag("--base-size", "unseg.evaluate.base-size", true, "side images are resized to, and tested at"),
      new CommandLine.Flag("--crop", "unseg.evaluate.crop", true, "training crop side"),
      new CommandLine.Flag("--epochs", "unseg.evaluate.epochs", true, "training epochs"),
      new CommandLine.Flag("--batch-size", "unseg.evaluate.batch-size", true, "training batch"),
      new CommandLine.Flag("--defense", "unseg.evaluate.defense", true,
          "comma-separated: none,jpeg:Q,blur:SIGMA,gray,iss:Q,resize:F on the protected training images"),
      new CommandLine.Flag("--clean-fraction", "unseg.evaluate.clean-fraction", true, "share of training images taken clean"),
      new CommandLine.Flag("--controls", "unseg.evaluate.controls", false, "also train the identical/random/shortcut controls"),
      new CommandLine.Flag("--seed", "unseg.evaluate.seed", true, "seed of the split, the weights and the data order"),
      new CommandLine.Flag("--repeats", "unseg.evaluate.repeats", true, "trainings a side (seeds seed, seed+1, ...): measures run-to-run noise"),
      new CommandLine.Flag("--run-id", "unseg.evaluate.run", true, "report folder name"));
  static final List<CommandLine.Flag> DATASET_FLAGS = List.of(
      new CommandLine.Flag("--kind", "unseg.make-dataset.kind", true, "coco (multi-class scenes) or mask-pairs"),
      new CommandLine.Flag("--photos", "unseg.make-dataset.photos", true, "comma-separated folders of real photos"),
      new CommandLine.Flag("--output", "unseg.make-dataset.output", true, "where images/ and annotations.json (or masks/) go"),
      new CommandLine.Flag("--count", "unseg.make-dataset.count", true, "images to make"),
      new CommandLine.Flag("--size", "unseg.make-dataset.size", true, "image side in pixels"),
      new CommandLine.Flag("--seed", "unseg.make-dataset.seed", true, "seed"));

  private EvaluateCommands() {}

  static int evaluate(String[] args, PrintStream out) throws Exception {
    CommandLine cl = CommandLine.parse(args, 1, EVALUATE_FLAGS);
    if (cl.help()) {
      out.println(CommandLine.usage("usage: unseg evaluate --clean DIR --annotations FILE|DIR --protected DIR [options]", EVALUATE_FLAGS));
      return 0;
    }
    EvaluateSettings s = EvaluateSettings.fromConfig(cl.config().getConfig("unseg.evaluate"), LocalDateTime.now());
    EvaluationResult r = new Evaluation(s, System.err).run();
    Path dir = ReportWriter.write(r);
    out.printf(Locale.ROOT, "trained on %d images, tested on %d clean images%n", r.trainImages().size(), r.testImages().size());
    out.println(ReportWriter.table(r));
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
    if (c.getString("kind").equals("coco")) {
      new SceneDataset(SyntheticDataset.readPhotos(photos), c.getInt("size"), c.getLong("seed")).write(output, c.getInt("count"));
      out.printf("wrote %d images to %s/images and their COCO index to %s/annotations.json%n", c.getInt("count"), output, output);
      return 0;
    }
    if (!c.getString("kind").equals("mask-pairs")) {
      throw new ConfigException("unseg.make-dataset.kind: coco or mask-pairs (--kind), not " + c.getString("kind"));
    }
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
