package dev.unseg.pipeline.composite;

/**
 * How far noise may move a pixel, in grey levels of the 8-bit image: {@code eps} inside the mask,
 * {@code epsBackground} outside. UnSeg applies 8 and 2 (docs/unseg-contract.md).
 *
 * <p>The background budget may not exceed the foreground one: a mask-dependent strength difference is
 * part of what makes the noise protective (docs/unseg-contract.md), and an inverted one is almost surely a typo.
 */
public record NoiseBudget(double eps, double epsBackground) implements java.io.Serializable {
  public static final NoiseBudget DEFAULT = new NoiseBudget(8, 2);

  public NoiseBudget {
    if (!(eps > 0 && eps <= 255)) {
      throw new IllegalArgumentException("eps must be in (0, 255] grey levels, got " + eps);
    }
    if (!(epsBackground >= 0 && epsBackground <= eps)) {
      throw new IllegalArgumentException(
          "epsBackground must be in [0, eps=" + eps + "] grey levels, got " + epsBackground);
    }
  }

  /** eps / 255 as the float32 the reference multiplies by (a Python float cast to the tensor's dtype). */
  float epsFraction() {
    return (float) (eps / 255.0);
  }

  float epsBackgroundFraction() {
    return (float) (epsBackground / 255.0);
  }
}
