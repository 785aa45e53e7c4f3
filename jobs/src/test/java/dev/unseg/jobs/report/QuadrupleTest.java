package dev.unseg.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.image.ImageCodec;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The report's four pictures of one image: native-resolution window, amplified noise, eps region. */
class QuadrupleTest {
  private static final ImageCodec CODEC = new ImageCodec(100_000_000L);

  @Test
  void largeImageShowsItsCentralWindowAtNativeResolution() throws Exception {
    int w = 1300;
    int h = 600;
    BufferedImage in = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = 100 + (x + y) % 50;
        int d = x < w / 2 ? 3 : -1; // left half beyond eps_bg 2, right half within it
        in.setRGB(x, y, v << 16 | v << 8 | v);
        out.setRGB(x, y, (v + d) << 16 | (v + d) << 8 | (v + d));
      }
    }
    Quadruple.Pictures q = Quadruple.of(CODEC, ReportHtml.png(in), "a.png", ReportHtml.png(out), "a.png", null, 2);
    assertTrue(q.cropped());
    assertEquals(1024, q.width());
    assertEquals(600, q.height());
    assertEquals((1300 - 1024) / 2, q.x0());
    assertEquals(3, q.maxDiff());
    // The window's pixels are the image's, not a scaled copy.
    int x = 10;
    assertEquals(100 + (q.x0() + x) % 50, q.original()[x * 3] & 255);
    // +3 shows as 128 + 127, -1 as 128 - 42.
    assertEquals(255, q.noise()[x * 3] & 255);
    assertEquals(128 - 42, q.noise()[(q.width() - 1) * 3] & 255);
    // Recomputed region: where |diff| > eps_bg, the left half of the image.
    assertEquals((long) (w / 2 - q.x0()) * h, q.regionPixels());

    // A written mask wins over the difference.
    BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 10; y++) {
      for (int mx = 0; mx < w; mx++) {
        mask.getRaster().setSample(mx, y, 0, 255);
      }
    }
    Quadruple.Pictures masked = Quadruple.of(CODEC, ReportHtml.png(in), "a.png", ReportHtml.png(out), "a.png",
        ReportHtml.png(mask), 2);
    assertEquals(10L * 1024, masked.regionPixels());
  }

  @Test
  void identicalImagesGiveFlatGreyNoise() throws Exception {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    img.setRGB(5, 5, 0xff0000);
    byte[] png = ReportHtml.png(img);
    Quadruple.Pictures q = Quadruple.of(CODEC, png, "b.png", png, "b.png", null, 2);
    assertFalse(q.cropped());
    assertEquals(0, q.maxDiff());
    for (byte b : q.noise()) {
      assertEquals(128, b & 255);
    }
    assertEquals(0, q.regionPixels());
  }
}
