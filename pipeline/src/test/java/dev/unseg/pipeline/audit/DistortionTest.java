package dev.unseg.pipeline.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.mask.BinaryMask;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DistortionTest {
  @Test
  void matchesAStraightforwardCountOnRandomImages() {
    Random r = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      int w = 1 + r.nextInt(80);
      int h = 1 + r.nextInt(60);
      byte[] a = new byte[w * h * 3];
      byte[] b = new byte[w * h * 3];
      byte[] m = new byte[w * h];
      r.nextBytes(a);
      for (int i = 0; i < a.length; i++) {
        b[i] = (byte) Math.max(0, Math.min(255, (a[i] & 0xff) + r.nextInt(2 * (trial + 1) + 1) - (trial + 1)));
      }
      for (int i = 0; i < m.length; i++) {
        m[i] = (byte) (r.nextInt(3) == 0 ? 1 : 0);
      }
      assertEquals(reference(a, b, m), Distortion.measure(a, b, new BinaryMask(w, h, m)));
    }
  }

  @Test
  void matchesOnALargeImageWithLongRunsAndAnyDifference() {
    // Runs longer than the int partial sums' chunk and whole rows of one region, with differences up to 255.
    Random r = new Random(5);
    int w = 700;
    int h = 160;
    byte[] a = new byte[w * h * 3];
    byte[] b = new byte[w * h * 3];
    r.nextBytes(a);
    for (int i = 0; i < a.length; i++) {
      b[i] = (byte) Math.max(0, Math.min(255, (a[i] & 0xff) + r.nextInt(7) - 3));
    }
    byte[] m = new byte[w * h];
    for (int i = 0; i < m.length; i++) {
      int y = i / w;
      int x = i % w;
      m[i] = (byte) (y < 40 || (y > 100 && x > 13 && x < 600 - y) ? 1 : 0);
    }
    assertEquals(reference(a, b, m), Distortion.measure(a, b, new BinaryMask(w, h, m)));
    int outlier = 3 * (120 * w + 650) + 2; // outside the mask, in the middle of a long run
    a[outlier] = (byte) 250;
    b[outlier] = 9;
    Distortion d = Distortion.measure(a, b, new BinaryMask(w, h, m));
    assertEquals(reference(a, b, m), d);
    assertEquals(241, d.linfOutside());
  }

  @Test
  void emptyRegionsAreNullAndIdenticalPixelsInfinite() {
    byte[] a = {1, 2, 3, 4, 5, 6};
    Distortion d = Distortion.measure(a, a.clone(), new BinaryMask(2, 1, new byte[] {1, 1}));
    assertEquals(0, d.linfInside());
    assertEquals(Double.POSITIVE_INFINITY, d.psnrInside());
    assertNull(d.linfOutside());
    assertNull(d.psnrOutside());
  }

  @Test
  void theSimdLoopGivesTheScalarLoopsSums() {
    // The tests above run whichever loop this JVM uses (SIMD under Maven, which adds the module); this
    // compares the two directly: every length around the vector width, every offset, a whole chunk of 255s.
    assumeTrue(Composite.SIMD, "no jdk.incubator.vector or no 256-bit vectors in this JVM");
    Random r = new Random(13);
    for (int trial = 0; trial < 20_000; trial++) {
      int from = r.nextInt(20);
      int to = from + r.nextInt(60);
      byte[] a = new byte[to + r.nextInt(3)];
      byte[] b = new byte[a.length];
      r.nextBytes(a);
      r.nextBytes(b);
      int start = r.nextInt(3) == 0 ? 0 : r.nextInt(65_026);
      int[] scalarMax = {start};
      int[] simdMax = {start};
      assertEquals(Distortion.squares(a, b, from, to, scalarMax), VectorSquares.squares(a, b, from, to, simdMax));
      assertEquals(scalarMax[0], simdMax[0], "trial " + trial);
    }
    byte[] zeros = new byte[Distortion.CHUNK];
    byte[] full = new byte[Distortion.CHUNK];
    java.util.Arrays.fill(full, (byte) 255);
    int[] max = {0};
    assertEquals(Distortion.CHUNK * 65_025, VectorSquares.squares(full, zeros, 0, full.length, max));
    assertEquals(65_025, max[0]);
  }

  /** Per sample, per region, in doubles: the definition, written the obvious way. */
  private static Distortion reference(byte[] a, byte[] b, byte[] m) {
    double[] se = new double[2];
    long[] n = new long[2];
    int[] linf = new int[2];
    for (int i = 0; i < a.length; i++) {
      int region = m[i / 3];
      int d = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
      se[region] += (double) d * d;
      n[region]++;
      linf[region] = Math.max(linf[region], d);
    }
    return new Distortion(n[1] == 0 ? null : linf[1], n[0] == 0 ? null : linf[0], psnr(se[1], n[1]), psnr(se[0], n[0]));
  }

  private static Double psnr(double se, long n) {
    return n == 0 ? null : se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (se / n));
  }
}
