package dev.unseg.jobs.evaluate;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The trainings of one network on one version of the training images: {@code clean}, {@code
 * protected} (after a defence: {@code protected+jpeg:75}), or a control ({@code control:identical},
 * {@code control:random}, {@code control:shortcut}); each run from seed, seed + 1, ...
 *
 * @param noiseInside mean |trained-on - clean| in grey levels on object pixels of the training images (base size)
 * @param noiseOutside the same on background pixels
 */
public record Side(String model, String name, List<Curve> runs, double noiseInside, double noiseOutside) {

  /** Mean over runs of the peak (best-epoch) object mIoU: the headline. */
  public double peak() {
    return mean(c -> c.best().objectMiou());
  }

  /** Mean over runs of the last epoch's object mIoU. */
  public double last() {
    return mean(c -> c.last().objectMiou());
  }

  public double mean(ToDoubleFunction<Curve> f) {
    return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  /** max - min over runs (0 with one run: not measured). */
  public double spread(ToDoubleFunction<Curve> f) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Curve c : runs) {
      lo = Math.min(lo, f.applyAsDouble(c));
      hi = Math.max(hi, f.applyAsDouble(c));
    }
    return hi - lo;
  }

  public double peakSpread() {
    return spread(c -> c.best().objectMiou());
  }

  /** Per-class IoU at each run's best epoch, averaged over runs (background first). */
  public double[] peakClassIou() {
    int n = runs.get(0).best().classIou().length;
    double[] out = new double[n];
    for (int k = 0; k < n; k++) {
      int kk = k;
      out[k] = mean(c -> c.best().classIou()[kk]);
    }
    return out;
  }
}
