package dev.unseg.pipeline.image;

import javax.imageio.plugins.jpeg.JPEGQTable;

/**
 * The quality a JPEG was written at, read back from its luminance quantization table: the IJG quality
 * (libjpeg, libjpeg-turbo, Pillow, ImageIO) whose scaled standard table is nearest to it. For files those
 * encoders wrote, the table is exactly one quality's and the estimate is that quality
 * ({@code JpegQualityTest}); for other encoders' tables (cameras, Photoshop) it is the nearest one.
 */
final class JpegQuality {
  /** Where each coefficient of a DQT segment, stored in zigzag order, sits in the 8x8 block (T.81 figure A.6). */
  private static final int[] ZIGZAG = {
      0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
      28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
      47, 55, 62, 63};
  private static final int[] LUMINANCE = JPEGQTable.K1Luminance.getTable();

  private JpegQuality() {}

  /**
   * The IJG quality, 1..100, whose luminance table is nearest ({@code zigzag}: a DQT table as stored);
   * of qualities with the same table, the highest.
   */
  static int estimate(int[] zigzag) {
    int[] table = new int[64];
    for (int k = 0; k < 64; k++) {
      table[ZIGZAG[k]] = zigzag[k];
    }
    int best = 100;
    long bestDistance = Long.MAX_VALUE;
    for (int q = 100; q >= 1; q--) {
      long distance = 0;
      for (int i = 0; i < 64; i++) {
        distance += Math.abs(scaled(LUMINANCE[i], q) - table[i]);
      }
      if (distance < bestDistance) {
        best = q;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** libjpeg's {@code jpeg_quality_scaling} and {@code jpeg_add_quant_table} with baseline limits. */
  private static int scaled(int base, int quality) {
    int percent = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    return Math.max(1, Math.min(255, (base * percent + 50) / 100));
  }
}
