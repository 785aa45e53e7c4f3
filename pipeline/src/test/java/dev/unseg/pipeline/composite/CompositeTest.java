package dev.unseg.pipeline.composite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

  @Test
  void theSimdLoopsWriteTheScalarLoopsBytes() {
    // The fixture tests above run whichever loop this JVM uses (SIMD under Maven, which adds the module);
    // this compares the two directly, on runs of every length around the vector width and every offset.
    assumeTrue(Composite.SIMD, "no jdk.incubator.vector or no 256-bit vectors in this JVM");
    java.util.Random random = new java.util.Random(11);
    float[] special = {Float.NaN, Float.intBitsToFloat(0x7fc000ab), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, -0f, 1f, -1f, 0.5f / 255f}; // a NaN with a payload: its low byte is not 0
    int[] bits = new int[200];
    for (int trial = 0; trial < 20_000; trial++) {
      int n = random.nextInt(60);
      int k = random.nextInt(20);
      int i = random.nextInt(20);
      float[] t0 = new float[k + n];
      float[] t1 = new float[k + n];
      for (int j = 0; j < k + n; j++) {
        t0[j] = random.nextInt(50) == 0 ? special[random.nextInt(special.length)] : 2 * random.nextFloat() - 1;
        t1[j] = random.nextInt(50) == 0 ? special[random.nextInt(special.length)] : 2 * random.nextFloat() - 1;
      }
      byte[] rgb = new byte[i + n];
      random.nextBytes(rgb);
      float wy1 = random.nextInt(4) == 0 ? 0f : random.nextFloat();
      float bound = new float[] {2f / 255f, 8f / 255f, 32f / 255f, 1f}[random.nextInt(4)];
      byte[] scalar = new byte[i + n];
      byte[] simd = new byte[i + n];
      Composite.applyRun(rgb, scalar, i, t0, t1, k, n, 1f - wy1, wy1, bound);
      VectorRun.apply(rgb, simd, i, t0, t1, k, n, 1f - wy1, wy1, bound, bits);
      assertArrayEquals(scalar, simd, "trial " + trial + ": n " + n + ", k " + k + ", i " + i);
      float[] r0 = java.util.Arrays.copyOfRange(t0, k, k + n);
      float[] r1 = java.util.Arrays.copyOfRange(t1, k, k + n);
      Composite.weightRow(r0, r1, 1f - wy1, wy1, scalar, i, 0, n);
      VectorRun.weightRow(r0, r1, 1f - wy1, wy1, simd, i, n, bits);
      assertArrayEquals(scalar, simd, "W, trial " + trial + ": n " + n + ", i " + i);
      // A row's column resample: any taps into the planes, gathered in the SIMD loop.
      float[] planes = new float[100];
      for (int j = 0; j < planes.length; j++) {
        planes[j] = random.nextInt(50) == 0 ? special[random.nextInt(special.length)] : 2 * random.nextFloat() - 1;
      }
      int src = random.nextInt(20);
      int[] i0 = random.ints(n, 0, 80).toArray();
      int[] i1 = random.ints(n, 0, 80).toArray();
      float[] w0 = new float[n];
      float[] w1 = new float[n];
      for (int j = 0; j < n; j++) {
        w1[j] = random.nextFloat();
        w0[j] = 1f - w1[j];
      }
      float[] rowScalar = new float[n];
      float[] rowSimd = new float[n];
      Composite.resampleRow(planes, src, i0, w0, i1, w1, rowScalar, 0);
      VectorRun.resampleRow(planes, src, i0, w0, i1, w1, rowSimd);
      assertArrayEquals(rowScalar, rowSimd, "row, trial " + trial + ": n " + n);
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
