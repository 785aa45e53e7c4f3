package dev.unseg.pipeline.composite;

import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.mask.BinaryMask;

/**
 * The UnSeg composite of docs/unseg-contract.md as pure functions over arrays: the generator inputs X and P, and the
 * protected image. Every resample reproduces PyTorch 1.13's CPU {@code F.interpolate} ({@code bilinear} or
 * {@code nearest}, {@code align_corners=False}, no antialias, sizes given) bit for bit: the same float32
 * source indices and weights, the same order of operations, rows then columns.
 *
 * <p>Images are interleaved 8-bit RGB ({@code R,G,B,R,G,B,...}), row-major, {@code width x height}. The
 * padded square {@code S = max(width, height)} is never materialised: padding is read as zeros and only the
 * {@code height x width} crop of an {@code S x S} map is computed, so memory stays proportional to the image.
 *
 * <p>An image whose mask is empty gets no noise at all (docs/unseg-contract.md): the caller skips the generator and
 * {@link #protect} and writes the image unchanged. {@link #protect} is nevertheless correct for any prompt,
 * the empty one included (then every pixel gets the background budget).
 */
public final class Composite {
  private static final int X = NoiseGenerator.IMAGE_SIZE;
  private static final int N = NoiseGenerator.NOISE_SIZE;

  /**
   * Whether {@link #foregroundWeight} and {@link #protectWithWeight} run {@link VectorRun} (same bytes, about
   * twice as fast), and the audit's distortion its own SIMD loop: when the JVM was started with {@code
   * --add-modules=jdk.incubator.vector} on a CPU with 256-bit vectors.
   */
  public static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && VectorRun.usable();

  private Composite() {}

  /** What a generator that reads {@code input} is given of this image; null for NONE. */
  public static GeneratorImage generatorInput(GeneratorInfo.ImageInput input, byte[] rgb, int width, int height) {
    return switch (input) {
      case NONE -> null;
      case PIXELS -> new GeneratorImage(width, height, rgb, null);
      case CPU_X -> new GeneratorImage(width, height, rgb, generatorImage(rgb, width, height));
    };
  }

  /** X: CHW {@code float[3 * 1024 * 1024]}, = bilinear(zero-pad to SxS -> 1024x1024) / 255. */
  public static float[] generatorImage(byte[] rgb, int width, int height) {
    return squareImage(rgb, width, height, X);
  }

  /**
   * CHW {@code float[3 * size * size]}, = bilinear(zero-pad to SxS -> size x size) / 255: X at another
   * side (a trained generator reads the padded square at its noise resolution, 256).
   */
  public static float[] squareImage(byte[] rgb, int width, int height, int size) {
    checkImage(rgb, width, height);
    int s = Math.max(width, height);
    Axis ax = Axis.bilinear(s, size, size);
    Axis ay = Axis.bilinear(s, size, size);
    // A tap that falls into the zero padding reads pixel 0 with weight 0: pixel values are >= 0, so the
    // product is +0, exactly the value 0 * w the padded tensor gives.
    int[] cx0 = new int[size];
    int[] cx1 = new int[size];
    float[] wx0 = new float[size];
    float[] wx1 = new float[size];
    for (int i = 0; i < size; i++) {
      boolean in0 = ax.i0()[i] < width;
      boolean in1 = ax.i1()[i] < width;
      cx0[i] = in0 ? ax.i0()[i] * 3 : 0;
      cx1[i] = in1 ? ax.i1()[i] * 3 : 0;
      wx0[i] = in0 ? ax.w0()[i] : 0f;
      wx1[i] = in1 ? ax.w1()[i] : 0f;
    }
    float[] out = new float[3 * size * size];
    RowCache rows = new RowCache(3 * size, (r, t) -> {
      int base = r * width * 3;
      for (int c = 0; c < 3; c++) {
        int dst = c * size;
        for (int i = 0; i < size; i++) {
          t[dst + i] = Axis.lerp((float) (rgb[base + cx0[i] + c] & 0xff), wx0[i],
              (float) (rgb[base + cx1[i] + c] & 0xff), wx1[i]);
        }
      }
    });
    float[] zero = new float[3 * size];
    for (int oy = 0; oy < size; oy++) {
      int r0 = ay.i0()[oy];
      int r1 = ay.i1()[oy];
      if (r0 >= height && r1 >= height) {
        continue; // both taps in the padding: the row is +0, as the array already holds (a quarter of a 4:3 image's square)
      }
      float[] t0 = r0 < height ? rows.row(r0) : zero;
      float[] t1 = r1 < height ? rows.row(r1) : zero;
      float wy0 = ay.w0()[oy];
      float wy1 = ay.w1()[oy];
      for (int c = 0; c < 3; c++) {
        int src = c * size;
        int dst = c * size * size + oy * size;
        for (int ox = 0; ox < size; ox++) {
          out[dst + ox] = Axis.lerp(t0[src + ox], wy0, t1[src + ox], wy1) / 255f;
        }
      }
    }
    return out;
  }

  /** P: {@code float[256 * 256]} in {0, 255}: Mpad -> nearest 1024x1024 -> bilinear 256x256 -> round * 255. */
  public static float[] maskPrompt(BinaryMask mask) {
    int width = mask.width();
    int height = mask.height();
    byte[] m = mask.pixels();
    int s = Math.max(width, height);
    int[] near = Axis.nearest(s, X, X);
    Axis a = Axis.bilinear(X, N, N);
    // Compose the two resamples' column taps once: P's tap k of column px reads Mpad column near[a.ik[px]].
    int[] c0 = new int[N];
    int[] c1 = new int[N];
    for (int i = 0; i < N; i++) {
      c0[i] = near[a.i0()[i]];
      c1[i] = near[a.i1()[i]];
    }
    // Each Mpad row's column resample once (the rows only move forward), as the noise rows are.
    RowCache rows = new RowCache(N, (r, t) -> {
      for (int px = 0; px < N; px++) {
        t[px] = Axis.lerp(maskAt(m, width, height, r, c0[px]), a.w0()[px], maskAt(m, width, height, r, c1[px]), a.w1()[px]);
      }
    });
    float[] p = new float[N * N];
    for (int py = 0; py < N; py++) {
      float[] t0 = rows.row(near[a.i0()[py]]);
      float[] t1 = rows.row(near[a.i1()[py]]);
      for (int px = 0; px < N; px++) {
        // torch.round rounds half to even, as clampRound does: the many exact 0.5 values at edges become 0.
        p[py * N + px] = clampRound(Axis.lerp(t0[px], a.w0()[py], t1[px], a.w1()[py])) * 255f;
      }
    }
    return p;
  }

  /**
   * The classes at P's grid: {@code byte[256 * 256]}, each noise pixel the class of the Mpad pixel its nearest
   * 1024 x 1024 sample reads (0 in the padding); null when the mask has no classes. Only the built-in generator's
   * class-keyed design reads it: it is not part of the UnSeg contract.
   */
  public static byte[] classPrompt(BinaryMask mask) {
    byte[] classes = mask.classes();
    if (classes == null) {
      return null;
    }
    int width = mask.width();
    int height = mask.height();
    int[] near = Axis.nearest(Math.max(width, height), X, X);
    Axis a = Axis.bilinear(X, N, N);
    byte[] out = new byte[N * N];
    for (int py = 0; py < N; py++) {
      int y = near[a.i1()[py]];
      for (int px = 0; px < N; px++) {
        int x = near[a.i1()[px]];
        out[py * N + px] = y < height && x < width ? classes[y * width + x] : 0;
      }
    }
    return out;
  }

  /**
   * W cropped to the image: {@code byte[height * width]}, 1 where round(bilinear(P / 255 -> SxS)) is 1. This
   * is the per-pixel budget map: pixel i may move by eps where W is 1 and by epsBackground elsewhere.
   */
  public static byte[] foregroundWeight(float[] prompt, int width, int height) {
    checkLength("prompt", prompt.length, N * N);
    int s = Math.max(width, height);
    Axis ax = Axis.bilinear(N, s, width);
    Axis ay = Axis.bilinear(N, s, height);
    RowCache rows = noiseRows(scaled(prompt), 1, ax, width);
    byte[] w = new byte[Math.multiplyExact(width, height)];
    int[] bits = SIMD ? new int[width] : null;
    for (int y = 0; y < height; y++) {
      float[] t0 = rows.row(ay.i0()[y]);
      float[] t1 = rows.row(ay.i1()[y]);
      if (bits != null) {
        VectorRun.weightRow(t0, t1, ay.w0()[y], ay.w1()[y], w, y * width, width, bits);
      } else {
        weightRow(t0, t1, ay.w0()[y], ay.w1()[y], w, y * width, 0, width);
      }
    }
    return w;
  }

  /**
   * P / 255. A method of its own, as {@link #protectRow} is: with this loop's 65,536 steps an image, the
   * caller was compiled before the row method and inlined it past C2's node budget in some JVMs (W at
   * 0.63 instead of 0.29 ms).
   */
  private static float[] scaled(float[] prompt) {
    float[] p = new float[prompt.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = prompt[i] / 255f;
    }
    return p;
  }

  /** The scalar {@link VectorRun#weightRow}, for {@code from <= x < n}. */
  static void weightRow(float[] t0, float[] t1, float wy0, float wy1, byte[] w, int i, int from, int n) {
    for (int x = from; x < n; x++) {
      w[i + x] = (byte) clampRound(Axis.lerp(t0[x], wy0, t1[x], wy1));
    }
  }

  /**
   * The protected image: {@code clamp(I + 255 * bilinear(noise -> SxS) * bound, 0, 255)} rounded half to even,
   * with bound = eps/255 where {@link #foregroundWeight W} is 1 and epsBackground/255 elsewhere (float32
   * throughout, in the reference's order). {@code noise} is CHW {@code float[3 * 256 * 256]}.
   */
  public static byte[] protect(
      byte[] rgb, int width, int height, float[] prompt, float[] noise, NoiseBudget budget) {
    checkImage(rgb, width, height);
    checkLength("noise", noise.length, 3 * N * N);
    return protectWithWeight(rgb, width, height, foregroundWeight(prompt, width, height), noise, budget);
  }

  /**
   * {@link #protect} with W already computed by {@link #foregroundWeight} for this prompt and size: the
   * caller needs W anyway (it is the audit's eps region), so it is computed once, not twice.
   */
  public static byte[] protectWithWeight(
      byte[] rgb, int width, int height, byte[] w, float[] noise, NoiseBudget budget) {
    checkImage(rgb, width, height);
    checkLength("noise", noise.length, 3 * N * N);
    checkLength("weight", w.length, width * height);
    int s = Math.max(width, height);
    Axis ax = Axis.bilinear(N, s, width);
    Axis ay = Axis.bilinear(N, s, height);
    // Columns resampled once per needed noise row (channels interleaved like the pixels); rows blended per output row.
    RowCache rows = noiseRows(noise, 3, ax, width);
    float[] bounds = {budget.epsBackgroundFraction(), budget.epsFraction()};
    byte[] out = new byte[rgb.length];
    int[] bits = SIMD ? new int[3 * width] : null;
    // One pass per run of equal W (a few per row): the blended noise, the shift 255 * (n * bound) in the
    // reference's order, then the pixel, with the bound hoisted out of the loop: 2.22 ms thread CPU on 640x480
    // scalar, 0.95-1.02 ms in SIMD (pipeline/src/test/.../composite/AuditTiming.java).
    for (int y = 0; y < height; y++) {
      protectRow(rgb, out, w, y * width, width, rows.row(ay.i0()[y]), rows.row(ay.i1()[y]), ay.w0()[y], ay.w1()[y],
          bounds, bits);
    }
    return out;
  }

  /**
   * One output row of {@link #protectWithWeight}. A method of its own so that the JIT compiles it, with
   * the vector loop inlined, before the caller: inlined into the caller with the row resample, it
   * exceeded C2's node budget in about half the JVMs and ran at half speed (docs/throughput.md).
   */
  private static void protectRow(byte[] rgb, byte[] out, byte[] w, int row, int width, float[] t0, float[] t1,
      float wy0, float wy1, float[] bounds, int[] bits) {
    for (int x = 0; x < width; ) {
      byte inside = w[row + x];
      int end = x + 1;
      while (end < width && w[row + end] == inside) {
        end++;
      }
      float bound = bounds[inside != 0 ? 1 : 0];
      if (bits != null) {
        VectorRun.apply(rgb, out, 3 * (row + x), t0, t1, 3 * x, 3 * (end - x), wy0, wy1, bound, bits);
      } else {
        applyRun(rgb, out, 3 * (row + x), t0, t1, 3 * x, 3 * (end - x), wy0, wy1, bound);
      }
      x = end;
    }
  }

  /** The scalar {@link VectorRun#apply}: the reference loop, and the one used without the Vector API. */
  static void applyRun(byte[] rgb, byte[] out, int i, float[] t0, float[] t1, int k, int n,
      float wy0, float wy1, float bound) {
    for (int j = 0; j < n; j++) {
      out[i + j] = apply(rgb[i + j], 255f * (Axis.lerp(t0[k + j], wy0, t1[k + j], wy1) * bound));
    }
  }

  /** 2^23: adding and then subtracting it rounds a float in [0, 2^23) to an integer, half to even. */
  static final float ROUNDING = 0x1.0p23f;

  /**
   * round(clamp(I + shift, 0, 255)), shift = 255 * (n * bound), each step a float32 operation as in the
   * reference. The clamp is written with comparisons and the rounding with {@link #ROUNDING} because {@code Math.min/max(float)}
   * (which must order -0 and NaN) and {@code Math.rint} (a double) made this loop twice as slow; the results
   * are the same for every float, NaN and -0 included (CompositeTest).
   */
  static byte apply(byte pixel, float shift) {
    return (byte) clampRound((float) (pixel & 0xff) + shift);
  }

  /** {@code (int) Math.rint(Math.min(Math.max(v, 0f), 255f))}, fast. */
  static int clampRound(float v) {
    float c = v < 0f ? 0f : (v > 255f ? 255f : v);
    return (int) ((c + ROUNDING) - ROUNDING);
  }

  /**
   * Rows of {@code channels} consecutive 256x256 planes resampled along x to {@code count} columns, the
   * channels interleaved ({@code t[x * channels + c]}).
   */
  private static RowCache noiseRows(float[] planes, int channels, Axis ax, int count) {
    // The taps spelled out per output value (t[k], k = x * channels + c), as offsets from the row's start in
    // plane 0: one unit-stride loop per row, which the SIMD path runs as gathers.
    int n = channels * count;
    int[] i0 = new int[n];
    int[] i1 = new int[n];
    float[] w0 = new float[n];
    float[] w1 = new float[n];
    for (int x = 0, k = 0; x < count; x++) {
      for (int c = 0; c < channels; c++, k++) {
        i0[k] = c * N * N + ax.i0()[x];
        i1[k] = c * N * N + ax.i1()[x];
        w0[k] = ax.w0()[x];
        w1[k] = ax.w1()[x];
      }
    }
    return new RowCache(n, SIMD
        ? (r, t) -> VectorRun.resampleRow(planes, r * N, i0, w0, i1, w1, t)
        : (r, t) -> resampleRow(planes, r * N, i0, w0, i1, w1, t, 0));
  }

  /** {@code t[k] = lerp(planes[src + i0[k]], w0[k], planes[src + i1[k]], w1[k])} for {@code from <= k < t.length}. */
  static void resampleRow(float[] planes, int src, int[] i0, float[] w0, int[] i1, float[] w1, float[] t, int from) {
    for (int k = from; k < t.length; k++) {
      t[k] = Axis.lerp(planes[src + i0[k]], w0[k], planes[src + i1[k]], w1[k]);
    }
  }

  private static float maskAt(byte[] m, int width, int height, int y, int x) {
    return y < height && x < width ? m[y * width + x] : 0f;
  }

  private static void checkImage(byte[] rgb, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    checkLength("rgb", rgb.length, Math.multiplyExact(Math.multiplyExact(width, height), 3));
  }

  private static void checkLength(String what, int actual, int expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(what + " needs " + expected + " values, got " + actual);
    }
  }

  /**
   * Two horizontally resampled source rows, reused while the output rows that need them go by: a resample's
   * source rows only move forward, so two slots suffice and each row is resampled once. Keeps the working
   * set at two rows instead of a whole resampled plane.
   */
  private static final class RowCache {
    interface Filler {
      void fill(int row, float[] target);
    }

    private final float[][] slots;
    private final int[] ids = {-1, -1};
    private final Filler filler;

    RowCache(int length, Filler filler) {
      this.slots = new float[][] {new float[length], new float[length]};
      this.filler = filler;
    }

    float[] row(int r) {
      for (int k = 0; k < 2; k++) {
        if (ids[k] == r) {
          return slots[k];
        }
      }
      int k = ids[0] < ids[1] ? 0 : 1; // evict the older (smaller) row
      ids[k] = r;
      filler.fill(r, slots[k]);
      return slots[k];
    }
  }
}
