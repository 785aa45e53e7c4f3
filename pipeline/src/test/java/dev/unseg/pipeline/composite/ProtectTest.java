package dev.unseg.pipeline.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.mask.BinaryMask;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Properties of protect() beyond the torch fixtures: the synthetic generator end to end, odd shapes, misuse. */
class ProtectTest {
  static JsonNode fixture(String name) {
    return Fixtures.cases().stream().filter(c -> c.get("name").asText().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void syntheticNoiseOnARealPhotoStaysInItsBudgetAndFollowsTheMask() throws Exception {
    JsonNode c = fixture("coffee_horse");
    int w = c.get("width").asInt();
    int h = c.get("height").asInt();
    byte[] rgb = Fixtures.image(c);
    BinaryMask mask = new BinaryMask(w, h, Fixtures.bytes(c.get("mask").asText()));
    float[] p = Composite.maskPrompt(mask);
    SyntheticTextureGenerator g = new SyntheticTextureGenerator("test key");
    float[] noise = g.generate(java.util.Collections.singletonList(null), List.of(p)).get(0);
    byte[] out = Composite.protect(rgb, w, h, p, noise, NoiseBudget.DEFAULT);
    byte[] weight = Composite.foregroundWeight(p, w, h);
    long inside = 0, insideAbs = 0, outside = 0, outsideAbs = 0, agree = 0;
    for (int i = 0; i < w * h; i++) {
      agree += weight[i] == mask.pixels()[i] ? 1 : 0;
      for (int ch = 0; ch < 3; ch++) {
        int d = Math.abs((out[3 * i + ch] & 0xff) - (rgb[3 * i + ch] & 0xff));
        assertTrue(d <= (weight[i] != 0 ? 8 : 2));
        if (weight[i] != 0) {
          inside++;
          insideAbs += d;
        } else {
          outside++;
          outsideAbs += d;
        }
      }
    }
    // W is the mask seen through a 256x256 prompt: it agrees almost everywhere.
    assertTrue(agree > 0.97 * w * h, "W agrees with the mask on " + agree + " of " + w * h);
    // The texture is near +-0.99 almost everywhere: mean |change| near 8 inside and 2 outside (less where
    // the image clips at 0 or 255 and where the bilinear noise crosses zero between cells).
    assertTrue((double) insideAbs / inside > 5.5, "inside mean " + (double) insideAbs / inside);
    assertTrue((double) outsideAbs / outside > 1.2, "outside mean " + (double) outsideAbs / outside);
  }

  @Test
  void extremeAspectRatioNeedsOnlyTheCrop() {
    // S = 20000: an S x S float map would be 1.6 GB per channel; the crop is 20000 x 3.
    int w = 20_000, h = 3;
    byte[] rgb = new byte[w * h * 3];
    java.util.Arrays.fill(rgb, (byte) 128);
    BinaryMask m = new BinaryMask(w, h);
    for (int x = 0; x < w / 2; x++) {
      m.set(x, 0);
      m.set(x, 1);
      m.set(x, 2);
    }
    float[] p = Composite.maskPrompt(m);
    float[] noise = new float[3 * 256 * 256];
    java.util.Arrays.fill(noise, 0.99f);
    byte[] out = Composite.protect(rgb, w, h, p, noise, new NoiseBudget(8, 2));
    // P's first row averages rows 1 and 2 of M1024, which sample Mpad rows 19 and 39, outside the 3-row
    // band: the band vanishes from the prompt and every pixel gets the background budget, 128 + 1.98 -> 130.
    for (int i = 0; i < out.length; i++) {
      assertEquals(130, out[i] & 0xff);
    }
    float[] x = Composite.generatorImage(rgb, w, h);
    assertEquals(3 * 1024 * 1024, x.length);
  }

  @Test
  void rejectsArraysOfTheWrongSize() {
    byte[] rgb = new byte[4 * 3 * 3];
    float[] p = new float[256 * 256];
    float[] n = new float[3 * 256 * 256];
    assertThrows(IllegalArgumentException.class, () -> Composite.protect(rgb, 4, 4, p, n, NoiseBudget.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> Composite.protect(rgb, 4, 3, new float[5], n, NoiseBudget.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> Composite.protect(rgb, 4, 3, p, new float[5], NoiseBudget.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> Composite.generatorImage(rgb, 0, 3));
  }
}
