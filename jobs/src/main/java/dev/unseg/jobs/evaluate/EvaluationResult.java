package dev.unseg.jobs.evaluate;

import java.util.List;

/**
 * Everything one evaluation measured. Drops are relative: (clean - protected) / clean, of the last
 * epoch's clean-test IoU.
 *
 * @param noiseInside mean |protected - clean| in grey levels inside the masks of the training images
 * @param noiseOutside the same outside the masks
 */
public record EvaluationResult(EvaluateSettings settings, List<String> trainImages, List<String> testImages,
    Curve clean, Curve protectedCurve, double noiseInside, double noiseOutside, List<TrainingPair> examples) {

  public double objectIouClean() {
    return clean.last().object();
  }

  public double objectIouProtected() {
    return protectedCurve.last().object();
  }

  public double miouClean() {
    return clean.last().mean();
  }

  public double miouProtected() {
    return protectedCurve.last().mean();
  }

  public double objectDrop() {
    return drop(objectIouClean(), objectIouProtected());
  }

  public double miouDrop() {
    return drop(miouClean(), miouProtected());
  }

  private static double drop(double clean, double prot) {
    return clean == 0 ? 0 : (clean - prot) / clean;
  }
}
