package dev.unseg.jobs.evaluate;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.UserError;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * One evaluation: the clean dataset, the protect run whose output is its protected copy (null for a
 * run of the controls only, and for train-generator's verdict on its model), what the probe learns,
 * how many images it trains and tests on, the training recipe, the networks, the defences applied to
 * the protected training images, the share of training images taken clean, whether the controls run
 * beside, how many times each side is trained
 * ({@code repeats}, seeds {@code recipe.seed()}, {@code +1}, ...; the split always comes from
 * {@code recipe.seed()}), so that the run-to-run noise is measured, not guessed, and where the report
 * goes (any URI).
 */
public record EvaluateSettings(DatasetSource clean, RunSpec run, LabelMode labels, int sample, int test, Recipe recipe,
    List<String> models, List<Defense> defenses, double cleanFraction, boolean controls, double controlEps, int repeats,
    String runId, String report) {

  public EvaluateSettings {
    if (defenses.isEmpty()) {
      throw new UserError("unseg.evaluate.defense: at least one (none for no defence)");
    }
    if (models.isEmpty() || !ProbeTrainer.MODELS.containsAll(models)) {
      throw UserError.setting("unseg.evaluate.model", String.join(",", models), "unet, deeplab or both", "--model");
    }
    models = List.copyOf(models);
    defenses = List.copyOf(defenses);
  }

  /**
   * From the config: the {@code unseg.evaluate} block, the protect run's settings in
   * {@code <protected>/_unseg/settings.json} and the {@code unseg.input} keys that override them.
   *
   * @param now names the report folder when {@code unseg.evaluate.run} is empty
   */
  public static EvaluateSettings from(Config root, Configuration hadoop, LocalDateTime now) throws IOException {
    Config c = root.getConfig("unseg");
    String prot = SettingReads.string(c, "evaluate.protected");
    if (prot.isEmpty() && !SettingReads.bool(c, "evaluate.controls")) {
      throw new UserError("unseg.evaluate.protected is not set: give --protected OUTPUT (the --output of a protect run),"
          + " or --controls to train the controls alone");
    }
    RunSpec run = prot.isEmpty() ? null : runOf(prot, hadoop);
    DatasetSource clean = run == null ? DatasetSource.of(c) : DatasetSource.of(run, c);
    List<Defense> defenses = Defense.parseList(SettingReads.string(c, "evaluate.defense"));
    long seed = SettingReads.longIn(c, "evaluate.seed", "--seed", 0, Long.MAX_VALUE);
    String runId = SettingReads.string(c, "evaluate.run");
    if (runId.isEmpty()) {
      runId = String.join("_", defenses.stream().map(d -> d.toString().replace(':', '-')).toList()) + "-seed" + seed + "-"
          + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }
    if (!runId.matches("[A-Za-z0-9._+-]+")) {
      throw new UserError("unseg.evaluate.run '" + runId + "': a folder name of letters, digits and ._+- (--run-id)");
    }
    String report = SettingReads.string(c, "evaluate.report");
    if (report.isEmpty()) {
      if (run == null) {
        throw new UserError("unseg.evaluate.report is not set: a run of the controls alone has no protected output to"
            + " write into; give --report DIR (any URI)");
      }
      report = OutputLayout.of(prot).evaluation(runId).toString();
    }
    return read(c, clean, run, defenses, SettingReads.bool(c, "evaluate.controls"), seed, runId, report);
  }

  /**
   * The {@code unseg.evaluate} block for train-generator's verdict on its model: the training's dataset,
   * no protect run and no controls, the split and the first weights from the training's seed.
   */
  public static EvaluateSettings forGenerator(Config root, DatasetSource data, long seed, String report) {
    Config c = root.getConfig("unseg");
    return read(c, data, null, Defense.parseList(SettingReads.string(c, "evaluate.defense")), false, seed, "train-generator",
        report);
  }

  private static EvaluateSettings read(Config c, DatasetSource clean, RunSpec run, List<Defense> defenses, boolean controls,
      long seed, String runId, String report) {
    Recipe recipe = new Recipe(SettingReads.intIn(c, "evaluate.base-size", "--base-size", 16, 4096),
        SettingReads.intIn(c, "evaluate.crop", "--crop", 16, 4096),
        SettingReads.doubleIn(c, "evaluate.rescale-min", null, 0.05, 10), SettingReads.doubleIn(c, "evaluate.rescale-max", null, 0.05, 10),
        SettingReads.intIn(c, "evaluate.batch-size", "--batch-size", 1, 4096), SettingReads.intIn(c, "evaluate.epochs", "--epochs", 1, 10_000),
        (float) SettingReads.doubleIn(c, "evaluate.learning-rate", null, 1e-7, 1),
        (float) SettingReads.doubleIn(c, "evaluate.weight-decay", null, 0, 1),
        SettingReads.intIn(c, "evaluate.base-channels", null, 16, 256), seed);
    return new EvaluateSettings(clean, run, LabelMode.parse(SettingReads.string(c, "evaluate.labels")),
        SettingReads.intIn(c, "evaluate.sample", "--sample", 2, 1_000_000), SettingReads.intIn(c, "evaluate.test", "--test", 1, 1_000_000),
        recipe, parseModels(SettingReads.string(c, "evaluate.model")), defenses,
        SettingReads.doubleIn(c, "evaluate.clean-fraction", "--clean-fraction", 0, 0.99),
        controls, SettingReads.doubleIn(c, "evaluate.control-eps", null, 1, 64),
        SettingReads.intIn(c, "evaluate.repeats", "--repeats", 1, 100), runId, report);
  }

  /** The settings protect recorded in its output, with the output where --protected says it is now. */
  private static RunSpec runOf(String output, Configuration hadoop) throws IOException {
    OutputLayout layout = OutputLayout.of(output);
    Storage storage = Storage.of(layout.root(), hadoop);
    try (InputStream in = storage.open(layout.settings())) {
      return RunSpec.fromJson(in).withOutput(output);
    } catch (FileNotFoundException e) {
      throw new UserError("--protected " + output + " has no " + layout.settings().getName() + " under _unseg/: is it the"
          + " --output of a protect run?");
    }
  }

  /** "unet", "deeplab" or "both" as the CLI takes it. */
  public static List<String> parseModels(String spec) {
    return spec.trim().equals("both") ? ProbeTrainer.MODELS : List.of(spec.trim());
  }
}
