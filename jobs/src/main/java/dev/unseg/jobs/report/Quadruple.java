package dev.unseg.jobs.report;

import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import java.io.IOException;

/**
 * One sample image as four pictures of the same window at native resolution: the original, the
 * protected output (both decoded by the pipeline's own codec, as the audit decodes them), the noise
 * amplified to the full range around grey 128, and the eps region over a dimmed original. Images
 * larger than {@link #MAX_SIDE} on a side are shown as their central MAX_SIDE window, never scaled:
 * scaling would average the noise away.
 */
final class Quadruple {
  static final int MAX_SIDE = 1024;
  private static final int[] REGION_TINT = {255, 140, 0};

  /** The four pictures, as interleaved RGB of {@code width x height}, and how they were made. */
  record Pictures(int width, int height, int x0, int y0, byte[] original, byte[] protectedImage, byte[] noise,
      byte[] region, int maxDiff, double scale, long regionPixels, boolean cropped) {}

  private Quadruple() {}

  /**
   * @param mask the written eps-region PNG's bytes, or null: the region is then where the output
   *     differs from the input by more than {@code epsBg} in some channel
   */
  static Pictures of(ImageCodec codec, byte[] original, String originalName, byte[] written, String writtenName,
      byte[] mask, double epsBg) throws InputException, IOException {
    DecodedImage in = codec.decode(original, originalName);
    DecodedImage out = codec.decode(written, writtenName);
    if (in.width() != out.width() || in.height() != out.height()) {
      throw new IOException("the original is " + in.width() + "x" + in.height() + " but the protected output "
          + out.width() + "x" + out.height());
    }
    byte[] maskRgb = null;
    if (mask != null) {
      DecodedImage m = codec.decode(mask, "mask.png");
      if (m.width() != in.width() || m.height() != in.height()) {
        throw new IOException("the written mask is " + m.width() + "x" + m.height() + ", the image " + in.width() + "x"
            + in.height());
      }
      maskRgb = m.rgb();
    }
    int w = Math.min(in.width(), MAX_SIDE);
    int h = Math.min(in.height(), MAX_SIDE);
    int x0 = (in.width() - w) / 2;
    int y0 = (in.height() - h) / 2;
    byte[] a = crop(in.rgb(), in.width(), x0, y0, w, h);
    byte[] b = crop(out.rgb(), in.width(), x0, y0, w, h);
    byte[] m = maskRgb == null ? null : crop(maskRgb, in.width(), x0, y0, w, h);
    int maxDiff = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((a[i] & 255) - (b[i] & 255)));
    }
    double scale = maxDiff == 0 ? 0 : 127.0 / maxDiff;
    byte[] region = new byte[a.length];
    long regionPixels = 0;
    for (int p = 0; p < a.length; p += 3) {
      boolean inside;
      if (m != null) {
        inside = m[p] != 0;
      } else {
        inside = false;
        for (int c = 0; c < 3; c++) {
          inside |= Math.abs((a[p + c] & 255) - (b[p + c] & 255)) > epsBg;
        }
      }
      regionPixels += inside ? 1 : 0;
      int grey = ((a[p] & 255) * 299 + (a[p + 1] & 255) * 587 + (a[p + 2] & 255) * 114) / 1000;
      for (int c = 0; c < 3; c++) {
        region[p + c] = (byte) (inside ? ((a[p + c] & 255) + REGION_TINT[c]) / 2 : grey * 2 / 5);
      }
    }
    return new Pictures(w, h, x0, y0, a, b, ReportHtml.amplifiedNoise(a, b, scale), region, maxDiff, scale, regionPixels,
        w != in.width() || h != in.height());
  }

  private static byte[] crop(byte[] rgb, int stride, int x0, int y0, int w, int h) {
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      System.arraycopy(rgb, ((y0 + y) * stride + x0) * 3, out, y * w * 3, w * 3);
    }
    return out;
  }
}
