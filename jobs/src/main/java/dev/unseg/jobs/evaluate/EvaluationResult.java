package dev.unseg.jobs.evaluate;

import java.util.List;
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

  static double drop(double clean, double other) {
    return clean == 0 || Double.isNaN(clean) ? 0 : (clean - other) / clean;
  }
}
