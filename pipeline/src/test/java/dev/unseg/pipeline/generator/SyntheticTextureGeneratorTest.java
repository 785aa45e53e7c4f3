package dev.unseg.pipeline.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticTextureGeneratorTest {
  static final int N = NoiseGenerator.NOISE_SIZE;
  static final int PLANE = N * N;

  static float[] prompt(float value) {
    float[] p = new float[PLANE];
    Arrays.fill(p, value);
    return p;
  }

  static float[] noise(NoiseGenerator g, float[] prompt) throws Exception {
    List<float[]> out = g.generate(Collections.singletonList(null), List.of(prompt));
    assertEquals(1, out.size());
    return out.get(0);
  }

  static double correlation(float[] a, float[] b) {
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sa += a[i];
      sb += b[i];
    }
    double ma = sa / a.length, mb = sb / b.length;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  @Test
  void sameKeySameNoiseAndInfo() throws Exception {
    SyntheticTextureGenerator a = new SyntheticTextureGenerator("dataset secret");
    SyntheticTextureGenerator b = new SyntheticTextureGenerator("dataset secret");
    assertArrayEquals(noise(a, prompt(255)), noise(b, prompt(255)));
    assertArrayEquals(noise(a, prompt(0)), noise(b, prompt(0)));
    assertEquals(a.info(), b.info());
    assertEquals("synthetic-texture", a.info().id());
    assertFalse(a.info().needsImage());
    assertTrue(a.info().modelDigest().matches("[0-9a-f]{64}"));
    assertFalse(a.info().modelDigest().contains("dataset"));
  }

  @Test
  void anotherKeyGivesUnrelatedNoise() throws Exception {
    SyntheticTextureGenerator a = new SyntheticTextureGenerator("key one");
    SyntheticTextureGenerator b = new SyntheticTextureGenerator("key two");
    // 86 x 86 cells x 3 channels of independent signs: the correlation's spread is ~0.007.
    assertTrue(Math.abs(correlation(noise(a, prompt(255)), noise(b, prompt(255)))) < 0.05);
    assertTrue(Math.abs(correlation(noise(a, prompt(0)), noise(b, prompt(0)))) < 0.05);
    assertNotEquals(a.info().modelDigest(), b.info().modelDigest());
  }

  @Test
  void insideAndOutsideTexturesDiffer() throws Exception {
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("k");
    float[] in = noise(g, prompt(255));
    float[] out = noise(g, prompt(0));
    assertTrue(Math.abs(correlation(in, out)) < 0.05);
  }

  @Test
  void eachPixelFollowsItsPrompt() throws Exception {
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("k");
    float[] in = noise(g, prompt(255));
    float[] out = noise(g, prompt(0));
    float[] half = prompt(0);
    for (int i = 0; i < PLANE; i++) {
      if ((i / N + i % N) % 3 == 0) {
        half[i] = 255;
      }
    }
    float[] mixed = noise(g, half);
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < PLANE; i++) {
        float expected = half[i] == 255 ? in[c * PLANE + i] : out[c * PLANE + i];
        assertEquals(expected, mixed[c * PLANE + i]);
      }
    }
  }

  @Test
  void shapeRangeAndCells() throws Exception {
    int cell = 8;
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("k", cell, SyntheticTextureGenerator.Design.CELLS);
    float[] n = noise(g, prompt(255));
    assertEquals(3 * PLANE, n.length);
    boolean channelsDiffer = false;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < N; y++) {
        for (int x = 0; x < N; x++) {
          float v = n[c * PLANE + y * N + x];
          assertTrue(v > -1f && v < 1f && Math.abs(v) > 0.9f, "value " + v);
          // constant inside a cell
          assertEquals(n[c * PLANE + (y / cell * cell) * N + x / cell * cell], v);
          channelsDiffer |= c > 0 && v != n[y * N + x];
        }
      }
    }
    assertTrue(channelsDiffer);
    assertNotEquals(g.info().modelDigest(), new SyntheticTextureGenerator("k", 4, SyntheticTextureGenerator.Design.CELLS).info().modelDigest());
  }

  @Test
  void batchesKeepOrderAndRejectBadPrompts() throws Exception {
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("k");
    List<float[]> out = g.generate(Arrays.asList(null, null), List.of(prompt(0), prompt(255)));
    assertArrayEquals(noise(g, prompt(0)), out.get(0));
    assertArrayEquals(noise(g, prompt(255)), out.get(1));
    assertThrows(IllegalArgumentException.class, () -> g.generate(Collections.singletonList(null), List.of(new float[7])));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticTextureGenerator(""));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticTextureGenerator("k", 0, SyntheticTextureGenerator.Design.CELLS));
  }

  @Test
  void keyFingerprintIdentifiesTheKeyWithoutRevealingIt() throws Exception {
    String fp = SyntheticTextureGenerator.keyFingerprint("owner-secret");
    assertEquals(fp, SyntheticTextureGenerator.keyFingerprint("owner-secret"));
    assertNotEquals(fp, SyntheticTextureGenerator.keyFingerprint("owner-secret2"));
    assertTrue(fp.matches("[0-9a-f]{64}"), fp);
    // Not the texture digest either: that one is published in every manifest row.
    assertNotEquals(fp, new SyntheticTextureGenerator("owner-secret").info().modelDigest());
  }

  /**
   * The octaves design: within the bound, keyed and reproducible, its flat colour opposite inside and
   * outside (the mean of each channel, what JPEG and blur keep), and a luminance part that grayscale keeps.
   */
  @Test
  void octavesKeepAFlatColourAndALuminancePattern() throws Exception {
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("k", 3, SyntheticTextureGenerator.Design.OCTAVES);
    assertEquals("2", g.info().version());
    assertNotEquals(new SyntheticTextureGenerator("k", 3, SyntheticTextureGenerator.Design.CELLS).info().modelDigest(),
        g.info().modelDigest());
    float[] in = noise(g, prompt(255));
    float[] out = noise(g, prompt(0));
    assertArrayEquals(in, noise(new SyntheticTextureGenerator("k", 3, SyntheticTextureGenerator.Design.OCTAVES), prompt(255)));
    for (int c = 0; c < 3; c++) {
      double meanIn = 0;
      double meanOut = 0;
      for (int i = 0; i < PLANE; i++) {
        float v = in[c * PLANE + i];
        assertTrue(v >= -SyntheticTextureGenerator.AMPLITUDE && v <= SyntheticTextureGenerator.AMPLITUDE, "value " + v);
        meanIn += v / PLANE;
        meanOut += out[c * PLANE + i] / PLANE;
      }
      // 0.4 of the amplitude is the flat colour; the textures average out.
      assertEquals(0.4 * 0.99, Math.abs(meanIn), 0.03, "channel " + c);
      assertEquals(-Math.signum(meanIn), Math.signum(meanOut));
    }
    // Grayscale (the same weights for every channel's part) still varies from cell to cell.
    float[] gray = new float[PLANE];
    for (int i = 0; i < PLANE; i++) {
      gray[i] = 0.299f * in[i] + 0.587f * in[PLANE + i] + 0.114f * in[2 * PLANE + i];
    }
    double var = 0;
    double mean = 0;
    for (float v : gray) {
      mean += v / PLANE;
    }
    for (float v : gray) {
      var += (v - mean) * (v - mean) / PLANE;
    }
    assertTrue(Math.sqrt(var) > 0.2, "grayscale keeps a texture: sd " + Math.sqrt(var));
  }

  /**
   * The shift design: one keyed colour at the full amplitude everywhere inside, its opposite outside, on
   * the green-magenta axis (red and blue one way, green the other); another key may pick the other one.
   */
  @Test
  void shiftIsOneKeyedColourOppositeOutside() throws Exception {
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("k", 3, SyntheticTextureGenerator.Design.SHIFT);
    assertEquals("3", g.info().version());
    float[] in = noise(g, prompt(255));
    float[] out = noise(g, prompt(0));
    for (int c = 0; c < 3; c++) {
      float v = in[c * PLANE];
      assertEquals(SyntheticTextureGenerator.AMPLITUDE, Math.abs(v));
      for (int i = 0; i < PLANE; i++) {
        assertEquals(v, in[c * PLANE + i]);
        assertEquals(-v, out[c * PLANE + i]);
      }
    }
    assertEquals(in[0], in[2 * PLANE]);
    assertEquals(-in[0], in[PLANE]);
    Set<String> colours = new HashSet<>();
    for (int k = 0; k < 16; k++) {
      float[] n = noise(new SyntheticTextureGenerator("key " + k, 3, SyntheticTextureGenerator.Design.SHIFT), prompt(255));
      colours.add(Math.signum(n[0]) + "," + Math.signum(n[PLANE]) + "," + Math.signum(n[2 * PLANE]));
    }
    assertTrue(colours.size() > 1, "the key picks the colour: " + colours);
  }

  /**
   * The classes design: inside the mask each class its own keyed colour at the full amplitude, the first classes
   * all different and none a brightness shift; outside, the shift's outside colour; without classes, the shift
   * exactly (so datasets without class maps get what they got).
   */
  @Test
  void classesColourEachClassAndAreTheShiftWithoutThem() throws Exception {
    SyntheticTextureGenerator classes = new SyntheticTextureGenerator("k", 3, SyntheticTextureGenerator.Design.CLASSES);
    SyntheticTextureGenerator shift = new SyntheticTextureGenerator("k", 3, SyntheticTextureGenerator.Design.SHIFT);
    assertEquals("4", classes.info().version());
    assertNotEquals(shift.info().modelDigest(), classes.info().modelDigest());
    assertArrayEquals(noise(shift, prompt(255)), noise(classes, prompt(255)));
    assertArrayEquals(noise(shift, prompt(0)), noise(classes, prompt(0)));
    // Labels 1..24 in stripes of the noise grid, 0 (no class) in the last rows; prompt: inside but the first row.
    byte[] labels = new byte[PLANE];
    float[] p = prompt(255);
    Arrays.fill(p, 0, N, 0f);
    for (int i = 0; i < PLANE - 8 * N; i++) {
      labels[i] = (byte) (1 + (i / N) % 24);
    }
    float[] n = classes.generate(Collections.singletonList(null), List.of(p), Collections.singletonList(labels)).get(0);
    float[] inside = noise(shift, prompt(255));
    float[] outside = noise(shift, prompt(0));
    Map<Integer, String> colourOf = new HashMap<>();
    for (int i = 0; i < PLANE; i++) {
      String colour = n[i] + "," + n[PLANE + i] + "," + n[2 * PLANE + i];
      if (i < N) {
        assertEquals(outside[i] + "," + outside[PLANE + i] + "," + outside[2 * PLANE + i], colour, "outside the mask");
      } else if (labels[i] == 0) {
        assertEquals(inside[i] + "," + inside[PLANE + i] + "," + inside[2 * PLANE + i], colour, "inside, no class");
      } else {
        String before = colourOf.putIfAbsent((int) labels[i], colour);
        assertTrue(before == null || before.equals(colour), "one colour a class");
        float largest = Math.max(Math.abs(n[i]), Math.max(Math.abs(n[PLANE + i]), Math.abs(n[2 * PLANE + i])));
        assertEquals(SyntheticTextureGenerator.AMPLITUDE, largest, "the full amplitude");
        assertFalse(n[i] == n[PLANE + i] && n[PLANE + i] == n[2 * PLANE + i], "not a brightness shift");
      }
    }
    assertEquals(24, new HashSet<>(colourOf.values()).size(), "24 classes, 24 colours: " + colourOf);
    SyntheticTextureGenerator other = new SyntheticTextureGenerator("other key", 3, SyntheticTextureGenerator.Design.CLASSES);
    float[] m = other.generate(Collections.singletonList(null), List.of(p), Collections.singletonList(labels)).get(0);
    assertFalse(Arrays.equals(n, m), "the key orders the colours");
  }
}
