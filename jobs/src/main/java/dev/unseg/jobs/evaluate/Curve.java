package dev.unseg.jobs.evaluate;

import java.util.List;

/**
 * One training's history: mean training loss and clean-test scores after each epoch. {@code last()}
 * is the last epoch's; {@code best()} the epoch with the highest object mIoU on the clean test set
 * (what a thief who early-stops on clean data would get: the headline).
 */
public record Curve(List<Double> loss, List<Scores> test, double seconds) {
  public Scores last() {
    return test.get(test.size() - 1);
  }

  /** Index (from 0) of the epoch with the highest object mIoU. */
  public int bestEpoch() {
    int best = 0;
    for (int i = 1; i < test.size(); i++) {
      if (test.get(i).objectMiou() > test.get(best).objectMiou()) {
        best = i;
      }
    }
    return best;
  }

  public Scores best() {
    return test.get(bestEpoch());
  }
}
