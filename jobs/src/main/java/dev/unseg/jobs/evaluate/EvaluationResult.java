package dev.unseg.jobs.evaluate;

import java.util.List;
import java.util.Map;

/**
 * Everything one evaluation measured: per network, the clean side and every other side (protected
 * after each defence, controls), each trained {@code settings.repeats()} times from the same seeds
 * and tested on the same clean images. Drops are relative: (clean - other) / clean, of the means.
 *
 * @param skipped images of the sample left out, with the reason (unreadable, bad annotation, no protected copy)
 * @param examples a few training images (clean, protected before any defence) for the report
 */
public record EvaluationResult(EvaluateSettings settings, List<String> classNames, List<String> trainImages,
    List<String> testImages, Map<String, String> skipped, List<Side> sides, List<TrainingPair> examples) {

  public Side side(String model, String name) {
    return sides.stream().filter(s -> s.model().equals(model) && s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no side " + model + "/" + name));
  }

  public Side clean(String model) {
    return side(model, "clean");
  }

  /** Relative drop of the peak object mIoU of a side against its network's clean side. */
  public double peakDrop(Side s) {
    return drop(clean(s.model()).peak(), s.peak());
  }

  public double lastDrop(Side s) {
    return drop(clean(s.model()).last(), s.last());
  }

  /** The run-to-run noise a drop of s has to exceed: the larger spread of the peaks, clean or s. */
  public double peakSpread(Side s) {
    return Math.max(clean(s.model()).peakSpread(), s.peakSpread());
  }

  static double drop(double clean, double other) {
    return clean == 0 || Double.isNaN(clean) ? 0 : (clean - other) / clean;
  }
}
