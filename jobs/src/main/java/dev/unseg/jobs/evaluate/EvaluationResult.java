package dev.unseg.jobs.evaluate;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Everything one evaluation measured. Each side was trained {@code settings.repeats()} times from
 * the same seeds; the headline figures are means over those trainings of the last epoch's
 * clean-test IoU, and drops are relative: (clean - protected) / clean.
 *
 * @param noiseInside mean |protected - clean| in grey levels inside the masks of the training images
 * @param noiseOutside the same outside the masks
 */
public record EvaluationResult(EvaluateSettings settings, List<String> trainImages, List<String> testImages,
    List<Curve> cleanRuns, List<Curve> protectedRuns, double noiseInside, double noiseOutside,
    List<TrainingPair> examples) {

  /** The first clean training (the one drawn in the report's curves). */
  public Curve clean() {
    return cleanRuns.get(0);
  }

  /** The first protected training. */
  public Curve protectedCurve() {
    return protectedRuns.get(0);
  }

  public double objectIouClean() {
    return mean(cleanRuns, IoU::object);
  }

  public double objectIouProtected() {
    return mean(protectedRuns, IoU::object);
  }

  public double miouClean() {
    return mean(cleanRuns, IoU::mean);
  }

  public double miouProtected() {
    return mean(protectedRuns, IoU::mean);
  }

  public double backgroundIouClean() {
    return mean(cleanRuns, IoU::background);
  }

  public double backgroundIouProtected() {
    return mean(protectedRuns, IoU::background);
  }

  public double objectDrop() {
    return drop(objectIouClean(), objectIouProtected());
  }

  public double miouDrop() {
    return drop(miouClean(), miouProtected());
  }

  /**
   * Run-to-run noise of the object IoU: the largest spread (max - min) between trainings of the same
   * data from different seeds, on either side; 0 with a single repeat (not measured).
   */
  public double objectIouSpread() {
    return Math.max(spread(cleanRuns), spread(protectedRuns));
  }

  private static double spread(List<Curve> runs) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Curve c : runs) {
      lo = Math.min(lo, c.last().object());
      hi = Math.max(hi, c.last().object());
    }
    return hi - lo;
  }

  private static double mean(List<Curve> runs, ToDoubleFunction<IoU> f) {
    return runs.stream().mapToDouble(c -> f.applyAsDouble(c.last())).average().orElse(0);
  }

  private static double drop(double clean, double prot) {
    return clean == 0 ? 0 : (clean - prot) / clean;
  }
}
