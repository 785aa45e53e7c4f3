package dev.unseg.pipeline.audit;

import dev.unseg.pipeline.mask.BinaryMask;

/**
 * How far the written output (decoded again) is from the input, inside and outside the mask:
 * the largest absolute difference in grey levels (L-inf) and the PSNR in dB. A region with no
 * pixel has null values; identical pixels give an infinite PSNR.
 */
/** Temporary: Distortion before issue 18, for before/after timing in one JVM. */
public final class LegacyDistortion {

  /** Both images are interleaved 8-bit RGB of the mask's size. */
  public static Distortion measure(byte[] original, byte[] written, BinaryMask mask) {
    byte[] m = mask.pixels();
    if (original.length != written.length || original.length != m.length * 3L) {
      throw new IllegalArgumentException("image and mask sizes differ");
    }
    // Plain locals instead of arrays indexed by region, so the JIT keeps them in registers (the audit
    // runs this on every image); integer sums, so the figures are exactly those of the array version.
    long sumIn = 0;
    long sumOut = 0;
    long pixelsIn = 0;
    int linfIn = 0;
    int linfOut = 0;
    for (int p = 0, i = 0; p < m.length; p++, i += 3) {
      int d0 = Math.abs((original[i] & 0xff) - (written[i] & 0xff));
      int d1 = Math.abs((original[i + 1] & 0xff) - (written[i + 1] & 0xff));
      int d2 = Math.abs((original[i + 2] & 0xff) - (written[i + 2] & 0xff));
      int sq = d0 * d0 + d1 * d1 + d2 * d2;
      int max = Math.max(d0, Math.max(d1, d2));
      if (m[p] != 0) {
        sumIn += sq;
        linfIn = Math.max(linfIn, max);
        pixelsIn++;
      } else {
        sumOut += sq;
        linfOut = Math.max(linfOut, max);
      }
    }
    long samplesIn = pixelsIn * 3;
    long samplesOut = (m.length - pixelsIn) * 3;
    return new Distortion(
        samplesIn == 0 ? null : linfIn,
        samplesOut == 0 ? null : linfOut,
        psnr(sumIn, samplesIn),
        psnr(sumOut, samplesOut));
  }

  private static Double psnr(long sumSq, long samples) {
    if (samples == 0) {
      return null;
    }
    if (sumSq == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double mse = (double) sumSq / samples;
    return 10 * Math.log10(255.0 * 255.0 / mse);
  }
}
