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

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
