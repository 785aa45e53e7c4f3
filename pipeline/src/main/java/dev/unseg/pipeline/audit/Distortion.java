package dev.unseg.pipeline.audit;

import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.mask.BinaryMask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * How far the written output (decoded again) is from the input, inside and outside the mask:
 * the largest absolute difference in grey levels (L-inf) and the PSNR in dB. A region with no
 * pixel has null values; identical pixels give an infinite PSNR.
 */
public record Distortion(Integer linfInside, Integer linfOutside, Double psnrInside, Double psnrOutside) {
  /** Samples per int partial sum: 32768 * 255^2 < 2^31, so the int sums are exact. */
  static final int CHUNK = 32_768;
  /** Whether {@link VectorSquares} runs: where the composite's SIMD loops do. */
  private static final boolean SIMD = Composite.SIMD;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

  /** Both images are interleaved 8-bit RGB of the mask's size. */
  public static Distortion measure(byte[] original, byte[] written, BinaryMask mask) {
    byte[] m = mask.pixels();
    if (original.length != written.length || original.length != m.length * 3L) {
      throw new IllegalArgumentException("image and mask sizes differ");
    }
    // The mask is walked as runs of equal pixels (a few per row), and each run's samples in one
    // unit-stride loop with no mask lookup: the per-pixel region branch and the stride-3 access were
    // most of the cost (1.16 to 0.50 ms on 640x480, pipeline/src/test/.../composite/AuditTiming.java; 0.12 ms
    // with VectorSquares). Integer sums, so the figures are exactly those of a per-sample count.
    long[] sum = new long[2];
    int[] maxSquare = new int[2];
    int[] max = new int[1];
    long pixelsIn = 0;
    for (int p = 0; p < m.length; ) {
      int region = m[p] != 0 ? 1 : 0;
      int end = runEnd(m, p);
      pixelsIn += region * (long) (end - p);
      max[0] = maxSquare[region];
      for (int i = 3 * p, to = 3 * end; i < to; i += CHUNK) {
        int chunkEnd = Math.min(to, i + CHUNK);
        sum[region] += SIMD ? VectorSquares.squares(original, written, i, chunkEnd, max)
            : squares(original, written, i, chunkEnd, max);
      }
      maxSquare[region] = max[0];
      p = end;
    }
    long samplesIn = pixelsIn * 3;
    long samplesOut = (m.length - pixelsIn) * 3;
    return new Distortion(
        samplesIn == 0 ? null : linf(maxSquare[1]),
        samplesOut == 0 ? null : linf(maxSquare[0]),
        psnr(sum[1], samplesIn),
        psnr(sum[0], samplesOut));
  }

  /**
   * The sum of {@code (a[i] - b[i])^2} for {@code from <= i < to} (at most {@link #CHUNK} samples); raises
   * {@code max[0]} to the largest square (not the largest |d|: no abs, one compare). The loop without the
   * Vector API, and {@link VectorSquares}' tail.
   */
  static int squares(byte[] a, byte[] b, int from, int to, int[] max) {
    int s = 0;
    int m = max[0];
    for (int i = from; i < to; i++) {
      int d = (a[i] & 0xff) - (b[i] & 0xff);
      int q = d * d;
      s += q;
      if (q > m) { // rarely taken once the maximum is met: cheaper than a select
        m = q;
      }
    }
    max[0] = m;
    return s;
  }

  /**
   * The first index after {@code from} whose mask value differs from {@code m[from]}'s (mask values are 0 or 1,
   * BinaryMask): eight pixels at a time through a long view while they all equal it.
   */
  private static int runEnd(byte[] m, int from) {
    byte v = m[from];
    long eight = v * 0x0101010101010101L;
    int e = from + 1;
    while (e + 8 <= m.length && (long) LONGS.get(m, e) == eight) {
      e += 8;
    }
    while (e < m.length && m[e] == v) {
      e++;
    }
    return e;
  }

  /** The exact square root of a square of a grey-level difference. */
  private static int linf(int square) {
    return (int) Math.sqrt(square);
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
