package dev.unseg.jobs.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one evaluation measured: per network, the clean side and every other side (protected
 * after each defence, controls), each trained {@code settings.repeats()} times from the same seeds
 * and tested on the same clean images. Drops are relative: (clean - other) / clean, of the means.
 *
 * @param protectedCopies what made the protected training images (a protect run's output, a model), null for none
 * @param skipped images of the sample left out, with the reason (unreadable, bad annotation, no protected copy)
 * @param examples a few training images (clean, protected before any defence) for the report
 */
public record EvaluationResult(EvaluateSettings settings, String protectedCopies, List<String> classNames, List<String> trainImages,
    List<String> testImages, Map<String, String> skipped, List<Side> sides, List<TrainingPair> examples) {

  public Side side(String model, String name) {
    return sides.stream().filter(s -> s.model().equals(model) && s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no side " + model + "/" + name));
  }

  public Side clean(String model) {
    return side(model, "clean");
  }

  /** Relative drop of the peak object mIoU of a side against its network's clean side, over the same seeds. */
  public double peakDrop(Side s) {
    return drop(cleanOverSeedsOf(s).peak(), s.peak());
  }

  public double lastDrop(Side s) {
    return drop(cleanOverSeedsOf(s).last(), s.last());
  }

  /**
   * The clean side's runs from the seeds s was trained with: runs go seed, seed + 1, ..., and the
   * identical control trains once, so it is compared with the clean side's first run (its own bits),
   * not with the mean of all.
   */
  private Side cleanOverSeedsOf(Side s) {
    Side c = clean(s.model());
    int n = s.runs().size();
    return n >= c.runs().size() ? c : new Side(c.model(), c.name(), c.runs().subList(0, n), c.noiseInside(), c.noiseOutside());
  }

  /** The run-to-run noise a drop of s has to exceed: the larger spread of the peaks, clean or s. */
  public double peakSpread(Side s) {
    return Math.max(clean(s.model()).peakSpread(), s.peakSpread());
  }

  /**
   * Below this peak object mIoU the clean-trained probe has learned too little for a drop against it to
   * mean anything (a probe that learns nothing cannot be kept from learning). The generated datasets reach
   * 0.3-0.5 at the defaults (docs/evaluate.md).
   */
  static final double LEARNED_LITTLE = 0.2;
  /** The shortcut control must take more than this share of the clean peak for the probe to be trusted. */
  static final double SHORTCUT_TRUST = 0.5;

  /**
   * Why a table may not answer the question, one line each: a clean probe that learned too little, and a
   * shortcut control that took half or less (the probe then shows no shortcut's large drop, so a small drop
   * of the protected side proves little either way).
   */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    for (String model : sides.stream().map(Side::model).distinct().toList()) {
      Side clean = clean(model);
      if (!(clean.peak() >= LEARNED_LITTLE)) {
        out.add(String.format(Locale.ROOT, "the %s probe learned little from the clean images (peak object mIoU %.3f,"
            + " under %.1f): a drop against it means little. Give it %smore training: a larger --sample, more --epochs"
            + " (docs/evaluate.md).", model, clean.peak(), LEARNED_LITTLE,
            classNames.size() > 2 ? "an easier task (--labels top:5 or binary) or " : ""));
      }
      sides.stream().filter(x -> x.model().equals(model) && x.name().equals(Evaluation.CONTROL + "shortcut")).findFirst()
          .filter(x -> !(peakDrop(x) > SHORTCUT_TRUST))
          .ifPresent(x -> out.add(String.format(Locale.ROOT, "the %s shortcut control took %.1f%% (more than %.0f%% is asked):"
              + " on this data and recipe even a label-keyed colour shift shows no large drop, so by the probe's trust"
              + " rule this table is not trusted (docs/evaluate.md).", model, 100 * peakDrop(x),
              100 * SHORTCUT_TRUST)));
    }
    return out;
  }

  static double drop(double clean, double other) {
    return clean == 0 || Double.isNaN(clean) ? 0 : (clean - other) / clean;
  }
}
