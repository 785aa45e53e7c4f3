package dev.unseg.jobs.evaluate;

/**
 * Clean-test scores of one epoch, from a confusion matrix summed over the whole test set (the usual
 * dataset-level IoU, not a mean of per-image IoUs). Class 0 is background.
 *
 * @param classIou IoU per class, background first; NaN for a class absent from both labels and predictions
 * @param objectMiou mean IoU over the object classes (background excluded), NaN classes skipped
 * @param objectIou IoU of "any object" against background (foreground vs background)
 * @param pixelAccuracy correct pixels / labelled pixels
 */
public record Scores(double[] classIou, double objectMiou, double objectIou, double pixelAccuracy) {

  /** @param confusion [label][prediction] pixel counts (ignored pixels not counted) */
  static Scores of(long[][] confusion) {
    int n = confusion.length;
    double[] iou = new double[n];
    long correct = 0;
    long total = 0;
    for (int c = 0; c < n; c++) {
      long tp = confusion[c][c];
      long fn = 0;
      long fp = 0;
      for (int k = 0; k < n; k++) {
        total += confusion[c][k];
        if (k != c) {
          fn += confusion[c][k];
          fp += confusion[k][c];
        }
      }
      correct += tp;
      iou[c] = tp + fp + fn == 0 ? Double.NaN : (double) tp / (tp + fp + fn);
    }
    double sum = 0;
    int m = 0;
    for (int c = 1; c < n; c++) {
      if (!Double.isNaN(iou[c])) {
        sum += iou[c];
        m++;
      }
    }
    long bgBg = confusion[0][0];
    long objObj = 0;
    long objBg = 0;
    long bgObj = 0;
    for (int c = 1; c < n; c++) {
      objBg += confusion[c][0];
      bgObj += confusion[0][c];
      for (int k = 1; k < n; k++) {
        objObj += confusion[c][k];
      }
    }
    double object = objObj + objBg + bgObj == 0 ? Double.NaN : (double) objObj / (objObj + objBg + bgObj);
    return new Scores(iou, m == 0 ? Double.NaN : sum / m, object, total == 0 ? Double.NaN : (double) correct / total);
  }

  /** The mean IoU over all classes, background included (as many papers report it). */
  public double miouWithBackground() {
    double sum = 0;
    int m = 0;
    for (double v : classIou) {
      if (!Double.isNaN(v)) {
        sum += v;
        m++;
      }
    }
    return m == 0 ? Double.NaN : sum / m;
  }
}
