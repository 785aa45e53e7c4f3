package dev.unseg.pipeline.audit;

import dev.unseg.pipeline.mask.BinaryMask;

/**
 * How far the written output (decoded again) is from the input, inside and outside the mask:
 * the largest absolute difference in grey levels (L-inf) and the PSNR in dB. A region with no
 * pixel has null values; identical pixels give an infinite PSNR.
 */
public record Distortion(Integer linfInside, Integer linfOutside, Double psnrInside, Double psnrOutside) {

  /** Both images are interleaved 8-bit RGB of the mask's size. */
  public static Distortion measure(byte[] original, byte[] written, BinaryMask mask) {
    byte[] m = mask.pixels();
    if (original.length != written.length || original.length != m.length * 3L) {
      throw new IllegalArgumentException("image and mask sizes differ");
    }
    long[] sumSq = new long[2];
    long[] samples = new long[2];
    int[] linf = new int[2];
    for (int p = 0, i = 0; p < m.length; p++) {
      int region = m[p];
      for (int c = 0; c < 3; c++, i++) {
        int d = Math.abs((original[i] & 0xff) - (written[i] & 0xff));
        sumSq[region] += (long) d * d;
        linf[region] = Math.max(linf[region], d);
      }
      samples[region] += 3;
    }
    return new Distortion(
        samples[1] == 0 ? null : linf[1],
        samples[0] == 0 ? null : linf[0],
        psnr(sumSq[1], samples[1]),
        psnr(sumSq[0], samples[0]));
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
