package dev.unseg.jobs.evaluate;

import java.util.Random;

/**
 * The training-time pipeline of mmsegmentation's standard configs, on a base-size sample: random
 * rescale, random crop (retried up to 10 times while one class covers more than 75% of it, as
 * mmseg's cat_max_ratio does; padded bottom-right with the ignore label), horizontal flip, and
 * photometric distortion (brightness +-32, contrast and saturation x0.5-1.5, hue +-18 degrees, each
 * with probability 1/2).
 */
final class Augment {
  private Augment() {}

  /** Writes one augmented crop: CHW floats in [0, 1] at x[xOff..], labels at y[yOff..]. */
  static void crop(Sample s, Recipe r, Random rnd, float[] x, int xOff, long[] y, int yOff) {
    int base = r.baseSize();
    int c = r.crop();
    double scale = r.scaleMin() + (r.scaleMax() - r.scaleMin()) * rnd.nextDouble();
    int side = Math.max(8, (int) Math.round(base * scale));
    Rgb img = s.image().resized(side, side);
    byte[] lab = nearest(s.label(), base, side);
    int ox = 0;
    int oy = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
      ox = side > c ? rnd.nextInt(side - c + 1) : 0;
      oy = side > c ? rnd.nextInt(side - c + 1) : 0;
      if (maxClassShare(lab, side, ox, oy, c) <= 0.75) {
        break;
      }
    }
    boolean flip = rnd.nextBoolean();
    double bright = rnd.nextBoolean() ? 64 * (rnd.nextDouble() - 0.5) : 0;
    double contrast = rnd.nextBoolean() ? 0.5 + rnd.nextDouble() : 1;
    double sat = rnd.nextBoolean() ? 0.5 + rnd.nextDouble() : 1;
    double hue = rnd.nextBoolean() ? Math.toRadians(36 * (rnd.nextDouble() - 0.5)) : 0;
    double cos = Math.cos(hue);
    double sin = Math.sin(hue);
    byte[] src = img.hwc();
    int n = c * c;
    for (int py = 0; py < c; py++) {
      for (int px = 0; px < c; px++) {
        int o = py * c + (flip ? c - 1 - px : px);
        int sx = ox + px;
        int sy = oy + py;
        if (sx >= side || sy >= side) {
          x[xOff + o] = x[xOff + n + o] = x[xOff + 2 * n + o] = 0;
          y[yOff + o] = LabeledDataset.IGNORE;
          continue;
        }
        int i = (sy * side + sx) * 3;
        double rr = (src[i] & 255) + bright;
        double gg = (src[i + 1] & 255) + bright;
        double bb = (src[i + 2] & 255) + bright;
        rr = (rr - 128) * contrast + 128;
        gg = (gg - 128) * contrast + 128;
        bb = (bb - 128) * contrast + 128;
        // Saturation and hue in YIQ: scale and rotate the chroma plane.
        double yy = 0.299 * rr + 0.587 * gg + 0.114 * bb;
        double ii = 0.596 * rr - 0.274 * gg - 0.322 * bb;
        double qq = 0.211 * rr - 0.523 * gg + 0.312 * bb;
        double i2 = sat * (cos * ii - sin * qq);
        double q2 = sat * (sin * ii + cos * qq);
        x[xOff + o] = clamp(yy + 0.956 * i2 + 0.621 * q2);
        x[xOff + n + o] = clamp(yy - 0.272 * i2 - 0.647 * q2);
        x[xOff + 2 * n + o] = clamp(yy - 1.106 * i2 + 1.703 * q2);
        y[yOff + o] = lab[sy * side + sx] & 255;
      }
    }
  }

  /** The base-size image as CHW floats in [0, 1] and its labels: what the probe is tested on. */
  static void whole(Sample s, float[] x, int xOff, long[] y, int yOff) {
    byte[] src = s.image().hwc();
    int n = src.length / 3;
    for (int i = 0; i < n; i++) {
      x[xOff + i] = (src[i * 3] & 255) / 255f;
      x[xOff + n + i] = (src[i * 3 + 1] & 255) / 255f;
      x[xOff + 2 * n + i] = (src[i * 3 + 2] & 255) / 255f;
      y[yOff + i] = s.label()[i] & 255;
    }
  }

  /** Nearest-neighbour resize of a square class map. */
  static byte[] nearest(byte[] label, int from, int to) {
    if (from == to) {
      return label;
    }
    byte[] out = new byte[to * to];
    for (int y = 0; y < to; y++) {
      int sy = (int) ((y + 0.5) * from / to);
      for (int x = 0; x < to; x++) {
        out[y * to + x] = label[sy * from + (int) ((x + 0.5) * from / to)];
      }
    }
    return out;
  }

  private static double maxClassShare(byte[] lab, int side, int ox, int oy, int c) {
    int[] count = new int[256];
    int total = 0;
    for (int y = oy; y < Math.min(side, oy + c); y++) {
      for (int x = ox; x < Math.min(side, ox + c); x++) {
        int v = lab[y * side + x] & 255;
        if (v != LabeledDataset.IGNORE) {
          count[v]++;
          total++;
        }
      }
    }
    int max = 0;
    for (int v : count) {
      max = Math.max(max, v);
    }
    return total == 0 ? 1 : (double) max / total;
  }

  private static float clamp(double v) {
    return (float) (Math.max(0, Math.min(255, v)) / 255);
  }
}
