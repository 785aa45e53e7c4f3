package dev.unseg.pipeline.composite;

import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.mask.BinaryMask;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A micro-measurement, not a test: single-thread time of each composite stage on random images. Run with
 * {@code java -cp pipeline/target/classes:pipeline/target/test-classes dev.unseg.pipeline.composite.CompositeTiming}.
 */
public final class CompositeTiming {
  public static void main(String[] args) throws Exception {
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("timing");
    for (int[] size : new int[][] {{640, 480}, {2048, 1024}}) {
      int w = size[0], h = size[1];
      byte[] rgb = new byte[w * h * 3];
      new Random(1).nextBytes(rgb);
      BinaryMask m = new BinaryMask(w, h);
      for (int y = h / 4; y < 3 * h / 4; y++) {
        for (int x = w / 3; x < 2 * w / 3; x++) {
          m.set(x, y);
        }
      }
      float[] p = Composite.maskPrompt(m);
      float[] n = g.generate(Collections.singletonList(null), List.of(p)).get(0);
      long sink = 0;
      for (int round = 0; round < 2; round++) { // the first round warms the JIT up
        int reps = round == 0 ? 30 : 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          sink += Composite.protect(rgb, w, h, p, n, NoiseBudget.DEFAULT)[i];
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          sink += (long) Composite.maskPrompt(m)[i];
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          sink += (long) Composite.generatorImage(rgb, w, h)[i];
        }
        long t3 = System.nanoTime();
        if (round == 1) {
          System.out.printf("%dx%d: protect %.1f ms, maskPrompt %.1f ms, generatorImage %.1f ms (sink %d)%n",
              w, h, (t1 - t0) / 1e6 / reps, (t2 - t1) / 1e6 / reps, (t3 - t2) / 1e6 / reps, sink);
        }
      }
    }
  }
}
