package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.jobs.evaluate.EvaluateSettings;
import dev.unseg.jobs.evaluate.Evaluation;
import dev.unseg.jobs.evaluate.EvaluationResult;
import dev.unseg.jobs.evaluate.ReportWriter;
import dev.unseg.jobs.evaluate.SceneDataset;
import dev.unseg.jobs.evaluate.SyntheticDataset;
import dev.unseg.jobs.io.StorageErrors;
import dev.unseg.pipeline.error.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/** {@code unseg evaluate} and {@code unseg make-dataset}: flags to settings, and the console lines. */
final class EvaluateCommands {
  static final List<Command.Flag> EVALUATE_FLAGS = List.of(
      new Command.Flag("--protected", "unseg.evaluate.protected", "OUTPUT", "the --output of a protect run (any URI)"),
      new Command.Flag("--format", "unseg.input.format", "FORMAT", "the clean dataset's format, if not the run's"),
      new Command.Flag("--images", "unseg.input.images", "URI", "the clean images, if not where the run read them"),
      new Command.Flag("--annotations", "unseg.input.annotations", "URI", "their annotations, if not the run's"),
      new Command.Flag("--panoptic-masks", "unseg.input.panoptic-masks", "URI", "coco-panoptic: folder of panoptic PNGs, if not the run's"),
      new Command.Flag("--mask-name", "unseg.input.mask-name", "RULE", "mask-pairs: mask name rule, if not the run's"),
      new Command.Flag("--image-list", "unseg.input.image-list", "URI", "only the images this text file names, if not the run's"),
      new Command.Flag("--labels", "unseg.evaluate.labels", "LABELS", "classes|binary|top:K"),
      new Command.Flag("--sample", "unseg.evaluate.sample", "N", "training images"),
      new Command.Flag("--test", "unseg.evaluate.test", "N", "held-out clean test images"),
      new Command.Flag("--model", "unseg.evaluate.model", "MODEL", "unet|deeplab|both"),
      new Command.Flag("--base-size", "unseg.evaluate.base-size", "PX", "side images are resized to, and tested at"),
      new Command.Flag("--crop", "unseg.evaluate.crop", "PX", "training crop side"),
      new Command.Flag("--epochs", "unseg.evaluate.epochs", "N", "training epochs"),
      new Command.Flag("--batch-size", "unseg.evaluate.batch-size", "N", "training batch"),
      new Command.Flag("--defense", "unseg.evaluate.defense", "LIST",
          "comma-separated: none,jpeg:Q,blur:SIGMA,gray,iss:Q,resize:F on the protected training images"),
      new Command.Flag("--clean-fraction", "unseg.evaluate.clean-fraction", "P", "share of training images taken clean"),
      new Command.Flag("--controls", "unseg.evaluate.controls", null, "also train the identical/random/shortcut controls"),
      new Command.Flag("--seed", "unseg.evaluate.seed", "N", "seed of the split, the weights and the data order"),
      new Command.Flag("--repeats", "unseg.evaluate.repeats", "N", "trainings a side (seeds seed, seed+1, ...): measures run-to-run noise"),
      new Command.Flag("--run-id", "unseg.evaluate.run", "NAME", "report folder name"),
      new Command.Flag("--report", "unseg.evaluate.report", "URI", "report folder (default under --protected)"));
  static final List<Command.Flag> DATASET_FLAGS = List.of(
      new Command.Flag("--kind", "unseg.make-dataset.kind", "KIND", "coco (multi-class scenes) or mask-pairs"),
      new Command.Flag("--photos", "unseg.make-dataset.photos", "DIRS", "comma-separated folders of real photos"),
      new Command.Flag("--output", "unseg.make-dataset.output", "DIR", "where images/ and annotations.json (or masks/) go"),
      new Command.Flag("--count", "unseg.make-dataset.count", "N", "images to make"),
      new Command.Flag("--size", "unseg.make-dataset.size", "PX", "image side in pixels"),
      new Command.Flag("--seed", "unseg.make-dataset.seed", "N", "seed"));

  private EvaluateCommands() {}

  static int evaluate(Config config, PrintStream out, PrintStream err) throws Exception {
    Configuration hadoop = SettingReads.hadoopConf(config);
    EvaluateSettings s = EvaluateSettings.from(config, hadoop, LocalDateTime.now());
    EvaluationResult r = new Evaluation(s, hadoop, err).run();
    org.apache.hadoop.fs.Path html = ReportWriter.write(r, hadoop);
    int classes = r.classNames().size() - 1;
    out.printf(Locale.ROOT, "trained on %d %s images (%d class%s), tested on %d clean images%n", r.trainImages().size(),
        s.clean().format().cliName(), classes, classes == 1 ? "" : "es", r.testImages().size());
    if (!r.skipped().isEmpty()) {
      out.printf(Locale.ROOT, "left out %d image(s) of the sample, each with its reason in report.json (skipped_images);"
          + " the first: %s: %s%n", r.skipped().size(), r.skipped().keySet().iterator().next(),
          r.skipped().values().iterator().next());
    }
    out.println(ReportWriter.table(r));
    r.warnings().forEach(w -> out.println("warning: " + w));
    out.println("report: " + html);
    return 0;
  }

  static int makeDataset(Config config, PrintStream out) throws Exception {
    Config c = config.getConfig("unseg");
    Path output = Path.of(SettingReads.required(c, "make-dataset.output", "--output", "the folder to write the dataset to"));
    List<Path> photos = Arrays.stream(SettingReads.string(c, "make-dataset.photos").split(",")).map(String::trim).map(Path::of).toList();
    String kind = SettingReads.enumSetting(c, "make-dataset.kind", "--kind", k -> {
      if (!k.equals("coco") && !k.equals("mask-pairs")) {
        throw new IllegalArgumentException(k);
      }
      return k;
    }, "coco or mask-pairs");
    int size = SettingReads.intIn(c, "make-dataset.size", "--size", 32, 8192);
    int count = SettingReads.intIn(c, "make-dataset.count", "--count", 1, 10_000_000);
    long seed = SettingReads.longIn(c, "make-dataset.seed", "--seed", 0, Long.MAX_VALUE);
    // Never over a dataset already there (the repository's samples/coco was one a typo away)
    for (String part : kind.equals("coco") ? List.of("images", "annotations.json") : List.of("images", "masks")) {
      if (Files.exists(output.resolve(part))) {
        throw new UserError("unseg.make-dataset.output (--output) " + output + " already holds " + part + ": make-dataset"
            + " writes a new dataset, never over files; choose a new or empty folder, or delete that one first");
      }
    }
    var photoImages = SyntheticDataset.readPhotos(photos);
    // Made before the folder, so that photos it refuses leave nothing behind
    SceneDataset scenes = kind.equals("coco") ? new SceneDataset(photoImages, size, seed) : null;
    SyntheticDataset pairs = scenes == null ? new SyntheticDataset(photoImages, size, seed) : null;
    try {
      Files.createDirectories(output);
    } catch (IOException e) {
      throw new UserError("unseg.make-dataset.output (--output) " + output + (Files.isRegularFile(output) ? " is a file"
          : " cannot be made a folder (" + StorageErrors.reason(e) + ")") + ": give a folder to write to");
    }
    if (scenes != null) {
      scenes.write(output, count);
      out.printf("wrote %d %s to %s/images and their COCO index to %s/annotations.json%n", count, count == 1 ? "image" : "images",
          output, output);
    } else {
      pairs.write(output, count);
      out.printf("wrote %d image/mask %s to %s/images and %s/masks%n", count, count == 1 ? "pair" : "pairs", output, output);
    }
    return 0;
  }
}
