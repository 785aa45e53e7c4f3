package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unseg.pipeline.error.UserError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the probe learns from a dataset's class map: every class, object vs background, or the K largest. */
class LabelModeTest {
  private static final List<String> NAMES = List.of("background", "wall", "sky", "person", "car");
  private static final byte IG = (byte) LabeledDataset.IGNORE;
  private static final byte[] MAP = {0, 1, 2, 3, 4, IG};
  private static final boolean[] ALL = {false, true, true, true, true};

  @Test
  void classesBinaryAndTopK() {
    long[] pixels = new long[256];
    pixels[1] = 50;
    pixels[2] = 10;
    pixels[3] = 70;
    pixels[4] = 10;
    LabelMode.Classes all = LabelMode.parse("classes").classes(NAMES, pixels, ALL);
    assertEquals(NAMES, all.names());
    assertArrayEquals(MAP, all.apply(MAP));

    LabelMode.Classes binary = LabelMode.parse("binary").classes(NAMES, pixels, ALL);
    assertEquals(List.of("background", "object"), binary.names());
    assertArrayEquals(new byte[] {0, 1, 1, 1, 1, IG}, binary.apply(MAP));

    // The two classes with the most training pixels, in their dataset order; ties go to the lower id.
    LabelMode.Classes top = LabelMode.parse("top:2").classes(NAMES, pixels, ALL);
    assertEquals(List.of("background", "wall", "person"), top.names());
    assertArrayEquals(new byte[] {0, 1, 0, 2, 0, IG}, top.apply(MAP));
    assertEquals(List.of("background", "wall", "sky", "person"), LabelMode.parse("top:3").classes(NAMES, pixels, ALL).names());
  }

  /** Of a run that selected some classes, those only: the others are background, as protect's mask left them. */
  @Test
  void onlyTheClassesTheRunSelected() {
    long[] pixels = new long[256];
    pixels[1] = 50;
    pixels[2] = 10;
    pixels[3] = 70;
    pixels[4] = 10;
    boolean[] skyAndCar = {false, false, true, false, true};
    LabelMode.Classes some = LabelMode.parse("classes").classes(NAMES, pixels, skyAndCar);
    assertEquals(List.of("background", "sky", "car"), some.names());
    assertArrayEquals(new byte[] {0, 0, 1, 0, 2, IG}, some.apply(MAP));
    assertArrayEquals(new byte[] {0, 0, 1, 0, 1, IG}, LabelMode.parse("binary").classes(NAMES, pixels, skyAndCar).apply(MAP));
    assertEquals(List.of("background", "sky"), LabelMode.parse("top:1").classes(NAMES, pixels, skyAndCar).names(),
        "the largest of the selected classes, ties to the lower id");
  }

  @Test
  void badSpecsAreRefused() {
    assertThrows(UserError.class, () -> LabelMode.parse("top:0"));
    assertEquals("unseg.evaluate.labels = 'some' is not valid: it accepts classes, binary or top:K (K >= 1) (flag --labels)",
        assertThrows(UserError.class, () -> LabelMode.parse("some")).getMessage());
  }
}
