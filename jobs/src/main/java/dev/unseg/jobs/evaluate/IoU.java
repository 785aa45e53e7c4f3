package dev.unseg.jobs.evaluate;

/**
 * Per-class IoU of a two-class (background, object) segmentation, from pixel counts summed over a
 * whole test set (the usual dataset-level IoU, not a mean of per-image IoUs).
 */
public record IoU(double background, double object) {
  /** mIoU counting background, as papers report it. */
  public double mean() {
    return (background + object) / 2;
  }

  static IoU of(long tp, long fp, long fn, long tn) {
    return new IoU(ratio(tn, tn + fn + fp), ratio(tp, tp + fp + fn));
  }

  private static double ratio(long num, long den) {
    return den == 0 ? 1.0 : (double) num / den;
  }
}
