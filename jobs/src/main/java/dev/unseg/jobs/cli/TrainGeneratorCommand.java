package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.jobs.evaluate.EvaluateSettings;
import dev.unseg.jobs.evaluate.EvaluationResult;
import dev.unseg.jobs.evaluate.ReportWriter;
import dev.unseg.jobs.train.GeneratorTraining;
import dev.unseg.jobs.train.GeneratorVerdict;
import dev.unseg.jobs.train.MinMinTrainer;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/** {@code unseg train-generator}: flags to settings, and the console lines. */
final class TrainGeneratorCommand {
  static final List<Command.Flag> FLAGS = List.of(
      new Command.Flag("--format", "unseg.input.format", "FORMAT", "the dataset's format (as protect's)"),
      new Command.Flag("--images", "unseg.input.images", "URI", "root of the images (path or URI)"),
      new Command.Flag("--annotations", "unseg.input.annotations", "URI", "COCO JSON file, or root of label/mask files"),
      new Command.Flag("--panoptic-masks", "unseg.input.panoptic-masks", "URI", "coco-panoptic: folder of panoptic PNGs"),
      new Command.Flag("--mask-name", "unseg.input.mask-name", "RULE", "mask-pairs: mask name rule"),
      new Command.Flag("--image-list", "unseg.input.image-list", "URI", "only the images this text file names"),
      new Command.Flag("--output", "unseg.train-generator.output", "URI", "the model file to write"),
      new Command.Flag("--labels", "unseg.train-generator.labels", "LABELS", "what the surrogate learns: binary|classes"),
      new Command.Flag("--sample", "unseg.train-generator.sample", "N", "images to train on (a seeded pick)"),
      new Command.Flag("--epochs", "unseg.train-generator.epochs", "N", "min-min rounds (surrogate pass, then generator pass)"),
      new Command.Flag("--batch-size", "unseg.train-generator.batch-size", "N", "images a step"),
      new Command.Flag("--eps", "unseg.train-generator.eps", "GREYS", "budget inside the mask the model will be applied at"),
      new Command.Flag("--eps-bg", "unseg.train-generator.eps-bg", "GREYS", "budget outside the mask"),
      new Command.Flag("--label-modification", "unseg.train-generator.label-modification", null,
          "UnSeg's: generator steps aim the surrogate at an all-ones mask, not the true one"),
      new Command.Flag("--eps-generalisation", "unseg.train-generator.eps-generalisation", null,
          "UnSeg's: train at an eighth of the budgets, apply at the whole"),
      new Command.Flag("--seed", "unseg.train-generator.seed", "N", "seed of the sample, the weights and the order"),
      new Command.Flag("--evaluate", "unseg.train-generator.evaluate", null,
          "then evaluate the model: the probe (unseg.evaluate's recipe) trained on images it protects, tested on held-out ones"));

  static final String DESCRIPTION = "Trains a generator of your own on your images with UnSeg's bilevel min-min"
      + " (docs/train-generator.md): a surrogate segmenter learns the masks from noised images, the generator learns"
      + " noise that makes that easiest. The model file runs in protect with --generator trained --model URI.";

  private TrainGeneratorCommand() {}

  static int run(Config config, PrintStream out, PrintStream err) throws Exception {
    GeneratorTraining s = GeneratorTraining.from(config);
    Configuration hadoop = SettingReads.hadoopConf(config);
    EvaluateSettings verdict = s.evaluate() ? GeneratorVerdict.settings(config, s, hadoop) : null;
    MinMinTrainer.Result r = MinMinTrainer.run(s, hadoop, err);
    MinMinTrainer.Epoch last = r.epochs().get(r.epochs().size() - 1);
    out.printf(Locale.ROOT, "trained on %d image%s for %d epoch%s in %.0f s: the surrogate's loss on noised images %.4f,"
        + " on clean ones %.4f%n", r.images(), r.images() == 1 ? "" : "s", r.epochs().size(), r.epochs().size() == 1 ? "" : "s",
        last.seconds(), last.noisedLoss(), last.cleanLoss());
    if (!(last.noisedLoss() < last.cleanLoss())) {
      // The min-min's aim is noise the surrogate learns from more easily than the images: here it found none.
      out.println("note: the noise did not make the surrogate's task easier (its loss on noised images is not below its loss"
          + " on clean ones), so the model is unlikely to protect: train on more images (--sample) or for more epochs"
          + " (--epochs), and check it with --evaluate or unseg evaluate.");
    }
    if (!r.skipped().isEmpty()) {
      out.printf(Locale.ROOT, "left out %d image(s), listed in the model's generator.json; the first: %s: %s%n",
          r.skipped().size(), r.skipped().keySet().iterator().next(), r.skipped().values().iterator().next());
    }
    out.printf("model: %s (SHA-256 %s); use it with: unseg protect ... --generator trained --model %s%n",
        r.output(), r.sha256(), r.output());
    out.println("losses per epoch: " + r.chart());
    if (verdict != null) {
      EvaluationResult e = GeneratorVerdict.run(verdict, s, config, hadoop, err);
      out.printf(Locale.ROOT, "the probe trained on %d images (%d of them held out from the generator's training), protected"
          + " by the model and clean, tested on %d clean images the generator never saw:%n", e.trainImages().size(),
          e.trainImages().size() - Math.min(e.trainImages().size(), s.sample()), e.testImages().size());
      out.println(ReportWriter.table(e));
      out.println("evaluation: " + ReportWriter.write(e, hadoop));
    }
    return 0;
  }
}
