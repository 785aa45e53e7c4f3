package dev.unseg.jobs.evaluate;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** An 8-bit RGB image as interleaved HWC bytes, with the conversions the probe needs. */
record Rgb(int width, int height, byte[] hwc) {

  static Rgb of(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] out = new byte[w * h * 3];
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      out[i * 3] = (byte) (argb[i] >> 16);
      out[i * 3 + 1] = (byte) (argb[i] >> 8);
      out[i * 3 + 2] = (byte) argb[i];
    }
    return new Rgb(w, h, out);
  }

  BufferedImage image() {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] argb = new int[width * height];
    for (int i = 0; i < argb.length; i++) {
      argb[i] = (hwc[i * 3] & 255) << 16 | (hwc[i * 3 + 1] & 255) << 8 | (hwc[i * 3 + 2] & 255);
    }
    img.setRGB(0, 0, width, height, argb, 0, width);
    return img;
  }

  /** Bilinear resize to size x size (unchanged when it already is). */
  Rgb resized(int size) {
    return resized(size, size);
  }

  /** Bilinear resize to w x h (unchanged when it already is). */
  Rgb resized(int w, int h) {
    if (width == w && height == h) {
      return this;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image(), 0, 0, w, h, null);
    g.dispose();
    return of(out);
  }

  /** Planar [3, H, W] floats in [0, 1]: the network's input. */
  float[] chw() {
    int n = width * height;
    float[] out = new float[3 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        out[c * n + i] = (hwc[i * 3 + c] & 255) / 255f;
      }
    }
    return out;
  }
}
