package dev.unseg.pipeline.composite;

/**
 * One axis of a PyTorch {@code F.interpolate} resample ({@code align_corners=False}, no antialias), the
 * source taps and weights of the first {@code count} output positions, computed in float32 the way ATen's
 * CPU kernels do (UpSample.h). Precomputed once per size pair so the pixel loops only index and multiply.
 *
 * <p>For {@code nearest} only {@link #i0} is meaningful and the weights are (1, 0).
 */
public record Axis(int[] i0, int[] i1, float[] w0, float[] w1) {

  /** Bilinear taps for output positions {@code 0 .. count-1} of an {@code in -> out} resample. */
  public static Axis bilinear(int in, int out, int count) {
    int[] i0 = new int[count];
    int[] i1 = new int[count];
    float[] w0 = new float[count];
    float[] w1 = new float[count];
    // ATen: scale = static_cast<float>(in) / out, a float division when no scale factor is given.
    float scale = (float) in / (float) out;
    for (int i = 0; i < count; i++) {
      if (in == out) {
        i0[i] = i;
        i1[i] = i;
        w0[i] = 1f;
        w1[i] = 0f;
        continue;
      }
      // area_pixel_compute_source_index, evaluated in ATen's CPU accumulate type (double) from the float
      // scale; negatives clamped to 0. Only lambda1 is rounded to float.
      double src = (double) scale * (i + 0.5) - 0.5;
      if (src < 0) {
        src = 0;
      }
      int lo = Math.min((int) src, in - 1);
      i0[i] = lo;
      i1[i] = lo + (lo < in - 1 ? 1 : 0);
      float lambda1 = (float) Math.min(Math.max(src - lo, 0.0), 1.0);
      w1[i] = lambda1;
      w0[i] = 1f - lambda1;
    }
    return new Axis(i0, i1, w0, w1);
  }

  /** Nearest taps (ATen's nearest_idx) for output positions {@code 0 .. count-1} of {@code in -> out}. */
  static int[] nearest(int in, int out, int count) {
    int[] idx = new int[count];
    float scale = (float) in / (float) out;
    for (int i = 0; i < count; i++) {
      if (out == in) {
        idx[i] = i;
      } else if (out == 2 * in) {
        idx[i] = i >> 1; // ATen's exact shortcut for a 2x upscale
      } else {
        idx[i] = Math.min((int) Math.floor((float) i * scale), in - 1);
      }
    }
    return idx;
  }

  /**
   * The generic kernel's two-tap sum {@code a * wa + b * wb} as the torch 1.13.1 CPU build it was checked
   * against evaluates it: GCC contracts ATen's {@code output = t0 * w0; output += t1 * w1} into one fused
   * multiply-add, {@code fma(a, wa, b * wb)}, in its AVX2 kernel. Every bilinear value of the contract is two
   * of these nested (columns inside, rows outside), as ATen's {@code Interpolate<2>} recursion does.
   * The same torch run with {@code ATEN_CPU_CAPABILITY=default} (no FMA) differs from this in the last bit of
   * X for 7 of the 12 fixture cases, while P, W and the 8-bit outputs stay identical.
   */
  static float lerp(float a, float wa, float b, float wb) {
    return Math.fma(a, wa, b * wb);
  }
}
