package dev.unseg.pipeline.image;

import java.awt.image.Raster;

/**
 * JFIF YCbCr to RGB with libjpeg's integer tables (jdcolor.c), so a JPEG decoded from its raw
 * samples gets exactly the values libjpeg, and so Pillow and the training loaders built on it,
 * would give. Used where the ImageIO readers would instead convert through an embedded ICC profile.
 */
final class JfifColor {
  private static final int SCALEBITS = 16;
  private static final int ONE_HALF = 1 << (SCALEBITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private JfifColor() {}

  private static int fix(double v) {
    return (int) (v * (1 << SCALEBITS) + 0.5);
  }

  /** Converts a raw 3-band YCbCr raster into interleaved RGB. */
  static void toRgb(Raster ycc, byte[] rgb) {
    int w = ycc.getWidth();
    int h = ycc.getHeight();
    int[] row = new int[w * 3];
    for (int y = 0, o = 0; y < h; y++) {
      ycc.getPixels(ycc.getMinX(), ycc.getMinY() + y, w, 1, row);
      for (int x = 0; x < w * 3; x += 3) {
        int luma = row[x];
        int cb = row[x + 1];
        int cr = row[x + 2];
        rgb[o++] = clamp(luma + CR_R[cr]);
        rgb[o++] = clamp(luma + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
        rgb[o++] = clamp(luma + CB_B[cb]);
      }
    }
  }

  private static byte clamp(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }
}
