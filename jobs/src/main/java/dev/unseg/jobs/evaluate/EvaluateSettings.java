package dev.unseg.jobs.evaluate;

import java.nio.file.Path;
import java.util.List;

/**
 * One evaluation: the clean dataset ({@code format} coco with its instances JSON, or mask-pairs with
 * its masks folder; local paths), its protected copy (the {@code --output} of {@code unseg protect}:
 * images under {@code <protected>/<images folder name>/} with the same relative paths; null for a
 * run of the controls only), what the probe learns, how many images it trains and tests on, the
 * training recipe, the networks, the defences applied to the protected training images, the share of
 * training images taken clean, whether the controls run beside, and how many times each side is
 * trained ({@code repeats}, seeds {@code recipe.seed()}, {@code +1}, ...; the split always comes from
 * {@code recipe.seed()}), so that the run-to-run noise is measured, not guessed.
 */
public record EvaluateSettings(String format, Path cleanImages, Path annotations, Path protectedRoot, LabelMode labels,
    int sample, int test, Recipe recipe, List<String> models, List<Defense> defenses, double cleanFraction,
    boolean controls, double controlEps, int repeats, String runId) {

  public EvaluateSettings {
    if (sample < 2 || test < 1) {
      throw new IllegalArgumentException("--sample must be at least 2 and --test at least 1");
    }
    if (repeats < 1) {
      throw new IllegalArgumentException("--repeats must be at least 1 (got " + repeats + ")");
    }
    if (!(cleanFraction >= 0 && cleanFraction < 1)) {
      throw new IllegalArgumentException("--clean-fraction must be in [0, 1) (got " + cleanFraction + ")");
    }
    if (models.isEmpty() || !ProbeTrainer.MODELS.containsAll(models)) {
      throw new IllegalArgumentException("--model " + models + ": expected unet, deeplab or both");
    }
    if (protectedRoot == null && !controls) {
      throw new IllegalArgumentException("--protected is required unless only --controls run");
    }
    if (protectedRoot != null && defenses.isEmpty()) {
      throw new IllegalArgumentException("--defense: at least one (none for no defence)");
    }
    models = List.copyOf(models);
    defenses = List.copyOf(defenses);
  }

  /**
   * From the {@code unseg.evaluate} block of the config (the CLI's flags are overrides of its keys).
   *
   * @param now names the report folder when {@code run} is empty
   */
  public static EvaluateSettings fromConfig(com.typesafe.config.Config c, java.time.LocalDateTime now) {
    List<Defense> defenses = Defense.parseList(c.getString("defense"));
    long seed = c.getLong("seed");
    String run = c.getString("run").isEmpty()
        ? String.join("_", defenses.stream().map(d -> d.toString().replace(':', '-')).toList()) + "-seed" + seed + "-"
            + now.format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        : c.getString("run");
    Recipe recipe = new Recipe(c.getInt("base-size"), c.getInt("crop"), c.getDouble("rescale-min"), c.getDouble("rescale-max"),
        c.getInt("batch-size"), c.getInt("epochs"), (float) c.getDouble("learning-rate"), (float) c.getDouble("weight-decay"),
        c.getInt("base-channels"), seed);
    String prot = c.getString("protected");
    return new EvaluateSettings(c.getString("format"), localPath(c, "clean"), localPath(c, "annotations"),
        prot.isEmpty() ? null : localPath(c, "protected"), LabelMode.parse(c.getString("labels")), c.getInt("sample"),
        c.getInt("test"), recipe, parseModels(c.getString("model")), defenses, c.getDouble("clean-fraction"),
        c.getBoolean("controls"), c.getDouble("control-eps"), c.getInt("repeats"), run);
  }

  private static Path localPath(com.typesafe.config.Config c, String key) {
    String v = c.getString(key);
    if (v.isEmpty()) {
      throw new dev.unseg.jobs.config.ConfigException("unseg.evaluate." + key + ": --" + key + " is required");
    }
    if (v.contains("://") && !v.startsWith("file://")) {
      throw new dev.unseg.jobs.config.ConfigException("unseg.evaluate." + key + " " + v + ": evaluate reads local paths only for now");
    }
    return Path.of(v.startsWith("file://") ? v.substring(7) : v);
  }

  /** "unet", "deeplab" or "both" as the CLI takes it. */
  public static List<String> parseModels(String spec) {
    return spec.trim().equals("both") ? ProbeTrainer.MODELS : List.of(spec.trim());
  }

  /** Where the protected copy of an image lies (the protect job's output layout). */
  Path protectedImage(String relative) {
    return protectedRoot.resolve(cleanImages.toAbsolutePath().normalize().getFileName().toString()).resolve(relative);
  }

  /** Under the protected copy, or beside the clean images for a controls-only run. */
  Path reportDir() {
    Path root = protectedRoot != null ? protectedRoot : cleanImages.toAbsolutePath().normalize().getParent();
    return root.resolve("_unseg").resolve("evaluation").resolve(runId);
  }
}
