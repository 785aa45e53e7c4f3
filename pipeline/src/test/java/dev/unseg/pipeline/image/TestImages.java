package dev.unseg.pipeline.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Loads the real test images and makes generator-like perturbations of RGB views. */
final class TestImages {
  private TestImages() {}

  static byte[] bytes(String resource) {
    try (InputStream in = TestImages.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reference decode with plain ImageIO (whatever plugin it picks), independent of ImageCodec. */
  static BufferedImage imageIo(byte[] data) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
      if (image == null) {
        throw new IllegalStateException("ImageIO found no reader");
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Like the generator: every channel moved by a random amount in [-eps, eps], clamped to 0..255. */
  static byte[] perturb(byte[] rgb, int eps, long seed) {
    Random random = new Random(seed);
    byte[] out = new byte[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      int v = (rgb[i] & 0xFF) + random.nextInt(2 * eps + 1) - eps;
      out[i] = (byte) Math.max(0, Math.min(255, v));
    }
    return out;
  }

  /**
   * Like UnSeg's output: a 256x256 noise map per channel in (-1, 1), bilinearly upsampled over the
   * zero-padded square (align_corners=False), times eps, added and rounded.
   */
  static byte[] perturbSmooth(byte[] rgb, int w, int h, int eps, long seed) {
    Random random = new Random(seed);
    int n = 256;
    double[][] noise = new double[3][n * n];
    for (double[] channel : noise) {
      for (int i = 0; i < channel.length; i++) {
        channel[i] = random.nextDouble() * 2 - 1;
      }
    }
    int s = Math.max(w, h);
    double scale = (double) n / s;
    byte[] out = new byte[rgb.length];
    for (int y = 0; y < h; y++) {
      double sy = Math.max(0, (y + 0.5) * scale - 0.5);
      int y0 = Math.min((int) sy, n - 1);
      int y1 = Math.min(y0 + 1, n - 1);
      double fy = sy - y0;
      for (int x = 0; x < w; x++) {
        double sx = Math.max(0, (x + 0.5) * scale - 0.5);
        int x0 = Math.min((int) sx, n - 1);
        int x1 = Math.min(x0 + 1, n - 1);
        double fx = sx - x0;
        for (int c = 0; c < 3; c++) {
          double[] m = noise[c];
          double v = (1 - fy) * ((1 - fx) * m[y0 * n + x0] + fx * m[y0 * n + x1])
              + fy * ((1 - fx) * m[y1 * n + x0] + fx * m[y1 * n + x1]);
          int i = (y * w + x) * 3 + c;
          out[i] = (byte) Math.max(0, Math.min(255, Math.round((rgb[i] & 0xFF) + eps * v)));
        }
      }
    }
    return out;
  }

  static int maxAbsDiff(byte[] a, byte[] b) {
    int max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
    }
    return max;
  }

  static double psnr(byte[] a, byte[] b) {
    double se = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (a[i] & 0xFF) - (b[i] & 0xFF);
      se += d * d;
    }
    double mse = se / a.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }
}
