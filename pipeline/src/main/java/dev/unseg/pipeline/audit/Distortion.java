package dev.unseg.pipeline.audit;

import dev.unseg.pipeline.mask.BinaryMask;

/**
 * How far the written output (decoded again) is from the input, inside and outside the mask:
 * the largest absolute difference in grey levels (L-inf) and the PSNR in dB. A region with no
 * pixel has null values; identical pixels give an infinite PSNR.
 */
public record Distortion(Integer linfInside, Integer linfOutside, Double psnrInside, Double psnrOutside) {
  private static final int CHUNK = 8192;

  /** Both images are interleaved 8-bit RGB of the mask's size. */
  public static Distortion measure(byte[] original, byte[] written, BinaryMask mask) {
    byte[] m = mask.pixels();
    if (original.length != written.length || original.length != m.length * 3L) {
      throw new IllegalArgumentException("image and mask sizes differ");
    }
    // One pass without branches: the mask bit becomes an all-ones/all-zeros int that selects each pixel's
    // figures into the inside or outside sums (a branch on the mask mispredicts along every object edge).
    // Sums are ints within a chunk (exact: 8192 pixels * 3 * 255^2 < 2^31), added to longs per chunk.
    long sumIn = 0;
    long sumAll = 0;
    long pixelsIn = 0;
    int linfIn = 0;
    int linfOut = 0;
    for (int from = 0; from < m.length; from += CHUNK) {
      int to = Math.min(m.length, from + CHUNK);
      int chunkIn = 0;
      int chunkAll = 0;
      int countIn = 0;
      for (int p = from, i = from * 3; p < to; p++, i += 3) {
        int d0 = (original[i] & 0xff) - (written[i] & 0xff);
        int d1 = (original[i + 1] & 0xff) - (written[i + 1] & 0xff);
        int d2 = (original[i + 2] & 0xff) - (written[i + 2] & 0xff);
        int sq = d0 * d0 + d1 * d1 + d2 * d2;
        int max = Math.max(Math.abs(d0), Math.max(Math.abs(d1), Math.abs(d2)));
        int inside = (m[p] | -m[p]) >> 31; // -1 for any non-zero mask byte, else 0
        chunkIn += sq & inside;
        chunkAll += sq;
        countIn -= inside;
        linfIn = Math.max(linfIn, max & inside);
        linfOut = Math.max(linfOut, max & ~inside);
      }
      sumIn += chunkIn;
      sumAll += chunkAll;
      pixelsIn += countIn;
    }
    long sumOut = sumAll - sumIn;
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
