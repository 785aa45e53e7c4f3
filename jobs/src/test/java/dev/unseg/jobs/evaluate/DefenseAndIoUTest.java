package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DefenseAndIoUTest {
  @Test
  void parsesDefencesAndRejectsBadOnes() {
    assertEquals("jpeg:75", Defense.parse("jpeg:75").toString());
    assertEquals("blur:1.0", Defense.parse("blur:1").toString());
    assertThrows(dev.unseg.pipeline.error.UserError.class, () -> Defense.parse("jpeg:0"));
    assertThrows(dev.unseg.pipeline.error.UserError.class, () -> Defense.parse("blur:x"));
    assertThrows(dev.unseg.pipeline.error.UserError.class, () -> Defense.parse("sharpen:2"));
  }

  @Test
  void blurKeepsFlatImagesAndSmoothsACheckerboard() {
    byte[] flat = new byte[16 * 16 * 3];
    Arrays.fill(flat, (byte) 77);
    assertArrayEquals(flat, Defense.parse("blur:1").apply(new Rgb(16, 16, flat)).hwc());
    byte[] checker = new byte[16 * 16 * 3];
    for (int i = 0; i < 256; i++) {
      Arrays.fill(checker, i * 3, i * 3 + 3, (byte) (((i % 16) + (i / 16)) % 2 == 0 ? 120 : 136));
    }
    byte[] out = Defense.parse("blur:1").apply(new Rgb(16, 16, checker)).hwc();
    int centre = (8 * 16 + 8) * 3;
    assertTrue(Math.abs((out[centre] & 255) - 128) <= 2, "blur must average out a 1-px pattern: " + (out[centre] & 255));
  }

  @Test
  void iouCountsObjectAndBackgroundSeparately() {
    IoU iou = IoU.of(30, 10, 10, 50);
    assertEquals(0.6, iou.object(), 1e-12);
    assertEquals(50.0 / 70, iou.background(), 1e-12);
    assertEquals((0.6 + 50.0 / 70) / 2, iou.mean(), 1e-12);
  }
}
