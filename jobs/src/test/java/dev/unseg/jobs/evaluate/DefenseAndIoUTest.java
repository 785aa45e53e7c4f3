package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.UserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefenseAndIoUTest {
  @Test
  void parsesDefencesAndRejectsBadOnes() {
    assertEquals("jpeg:75", Defense.parse("jpeg:75").toString());
    assertEquals("blur:1.0", Defense.parse("blur:1").toString());
    assertThrows(UserError.class, () -> Defense.parse("jpeg:0"));
    assertThrows(UserError.class, () -> Defense.parse("blur:x"));
    assertThrows(UserError.class, () -> Defense.parse("sharpen:2"));
    // A config file's user needs the key as much as a command line's needs the flag.
    assertTrue(assertThrows(UserError.class, () -> Defense.parseList("none,jpeg:75,none")).getMessage().startsWith(
        "unseg.evaluate.defense = 'none,jpeg:75,none' is not valid: it accepts each defence once (none is listed twice)"));
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
  void newDefencesParseAndDoWhatTheySay() {
    assertEquals(List.of("none", "jpeg:75", "blur:1.0", "gray", "iss:10", "resize:0.5"),
        Defense.parseList("none,jpeg:75,blur:1,gray,iss:10,resize:0.5").stream().map(Defense::toString).toList());
    assertThrows(UserError.class, () -> Defense.parseList("gray,gray"));
    assertThrows(UserError.class, () -> Defense.parse("resize:1.5"));
    byte[] colour = new byte[8 * 8 * 3];
    for (int i = 0; i < 64; i++) {
      colour[i * 3] = (byte) 200;
      colour[i * 3 + 1] = (byte) 40;
      colour[i * 3 + 2] = (byte) 90;
    }
    byte[] g = Defense.parse("gray").apply(new Rgb(8, 8, colour)).hwc();
    // 0.299*200 + 0.587*40 + 0.114*90 = 93.54
    assertEquals(94, g[0] & 255);
    assertEquals(g[0], g[1]);
    assertEquals(g[0], g[2]);
    byte[] iss = Defense.parse("iss:10").apply(new Rgb(8, 8, colour)).hwc();
    assertEquals(iss[0], iss[1], "iss output is gray");
    assertArrayEquals(colour, Defense.parse("resize:0.5").apply(new Rgb(8, 8, colour)).hwc(), "a flat image survives down and up");
  }

  @Test
  void scoresFromAConfusionMatrix() {
    // Rows are labels, columns predictions: background, class 1, class 2.
    long[][] m = {{50, 5, 5}, {10, 30, 0}, {0, 0, 0}};
    Scores s = Scores.of(m);
    assertEquals(50.0 / 70, s.classIou()[0], 1e-12);
    assertEquals(30.0 / 45, s.classIou()[1], 1e-12);
    // Class 2 never labelled, predicted 5 times: IoU 0, counted in the object mIoU.
    assertEquals(0.0, s.classIou()[2], 1e-12);
    assertEquals((30.0 / 45 + 0) / 2, s.objectMiou(), 1e-12);
    // Object vs background: 30 object pixels found, 10 missed, 5 + 5 background pixels taken for objects.
    assertEquals(30.0 / (30 + 10 + 10), s.objectIou(), 1e-12);
    assertEquals(80.0 / 100, s.pixelAccuracy(), 1e-12);
    assertTrue(Double.isNaN(Scores.of(new long[][] {{4, 0}, {0, 0}}).objectMiou()), "no object anywhere: not measured");
  }
}
