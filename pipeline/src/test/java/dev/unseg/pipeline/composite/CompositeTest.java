package dev.unseg.pipeline.composite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.pipeline.mask.BinaryMask;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Compares every stage of the composite with the torch 1.13 reference, bit for bit. */
class CompositeTest {
  static final int N = 256;

  static Stream<Arguments> cases() {
    return Fixtures.cases().stream().map(c -> Arguments.of(c.get("name").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generatorImageIsTorchsBitForBit(String name, JsonNode c) {
    int w = c.get("width").asInt();
    int h = c.get("height").asInt();
    float[] x = Composite.generatorImage(Fixtures.image(c), w, h);
    assertEquals(3 * 1024 * 1024, x.length);
    // The sampled rows first, so a mismatch reports its size, then the hash of all 3M values.
    float[] expected = Fixtures.floats(c.get("xSamples").asText());
    JsonNode rows = c.get("xSampleRows");
    float maxDiff = 0;
    int k = 0;
    for (int ch = 0; ch < 3; ch++) {
      for (JsonNode row : rows) {
        for (int col = 0; col < 1024; col++) {
          maxDiff = Math.max(maxDiff, Math.abs(x[ch * 1024 * 1024 + row.asInt() * 1024 + col] - expected[k++]));
        }
      }
    }
    assertEquals(0f, maxDiff, name + ": max |X - torch X| on sampled rows");
    assertEquals(c.get("xSha256").asText(), sha256(Fixtures.floatBytesLE(x)), name + ": X differs from torch's");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void promptWeightAndOutputAreTorchs(String name, JsonNode c) {
    int w = c.get("width").asInt();
    int h = c.get("height").asInt();
    byte[] rgb = Fixtures.image(c);
    BinaryMask mask = new BinaryMask(w, h, Fixtures.bytes(c.get("mask").asText()));

    float[] p = Composite.maskPrompt(mask);
    byte[] expectedP = Fixtures.bytes(c.get("prompt").asText());
    for (int i = 0; i < N * N; i++) {
      assertEquals(expectedP[i] * 255f, p[i], name + ": P at " + i);
    }

    byte[] weight = Composite.foregroundWeight(p, w, h);
    assertArrayEquals(Fixtures.bytes(c.get("weight").asText()), weight, name + ": W");

    NoiseBudget budget = new NoiseBudget(c.get("eps").asDouble(), c.get("epsBackground").asDouble());
    byte[] out = Composite.protect(rgb, w, h, p, Fixtures.floats(c.get("noise").asText()), budget);
    if (c.has("outDelta")) {
      byte[] delta = Fixtures.bytes(c.get("outDelta").asText());
      int mismatches = 0;
      for (int i = 0; i < out.length; i++) {
        mismatches += (out[i] & 0xff) - (rgb[i] & 0xff) == delta[i] ? 0 : 1;
      }
      assertEquals(0, mismatches, name + ": output values that differ from torch's");
    }
    assertEquals(c.get("outSha256").asText(), sha256(out), name + ": output differs from torch's");

    // The bound: |out - in| <= eps where W = 1, <= epsBackground elsewhere.
    for (int i = 0; i < w * h; i++) {
      double limit = weight[i] != 0 ? budget.eps() : budget.epsBackground();
      for (int ch = 0; ch < 3; ch++) {
        int diff = Math.abs((out[3 * i + ch] & 0xff) - (rgb[3 * i + ch] & 0xff));
        assertTrue(diff <= limit, name + ": pixel " + i + " moved by " + diff + " > " + limit);
      }
    }
  }

  @Test
  void clampRoundIsClampThenRintForEveryFloatNearTheRange() {
    // Every float from -2 to 258 (about 1.1 billion patterns would be slow; this walks all of them near
    // each integer and half-integer, where rounding can go wrong), then the special values.
    for (int k = -4; k <= 516; k++) {
      int centre = Float.floatToIntBits(k / 2f);
      for (int step = -20_000; step <= 20_000; step++) {
        int bits = k == 0 ? step : centre + step;
        checkClampRound(Float.intBitsToFloat(bits));
      }
    }
    for (float v : new float[] {Float.NaN, -0f, 0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0x1.0p23f, 254.5f, 255.49998f}) {
      checkClampRound(v);
    }
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 5_000_000; i++) {
      checkClampRound(Float.intBitsToFloat(random.nextInt()));
    }
  }

  private static void checkClampRound(float v) {
    int expected = (int) Math.rint(Math.min(Math.max(v, 0f), 255f));
    if (Composite.clampRound(v) != expected) {
      assertEquals(expected, Composite.clampRound(v), "clampRound(" + v + ")");
    }
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
