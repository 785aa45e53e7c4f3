package dev.unseg.pipeline.generator.djl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.pipeline.generator.GeneratorImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fixture's deterministic inputs and PyTorch's reference output. The hash must stay identical to
 * {@code hash32} in src/test/python/make_torchscript_fixture.py.
 */
final class FixtureInputs {
  static final int IMAGE = 1024;
  static final int NOISE = 256;
  private static final long M32 = 0xFFFFFFFFL;

  private FixtureInputs() {}

  static long hash32(long seed, long idx) {
    long h = (idx * 0x9E3779B1L + seed * 0x85EBCA77L + 1) & M32;
    h ^= h >>> 16;
    h = (h * 0x7FEB352DL) & M32;
    h ^= h >>> 15;
    h = (h * 0x846CA68BL) & M32; // wraps past 2^63 like numpy's uint64; the low 32 bits agree
    h ^= h >>> 16;
    return h;
  }

  static float[] image(long seed) {
    float[] x = new float[3 * IMAGE * IMAGE];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) ((hash32(seed, i) >>> 8) / (double) (1 << 24));
    }
    return x;
  }

  /** X alone, as the CPU path is given it (it reads nothing else of the image). */
  static GeneratorImage input(long seed) {
    return new GeneratorImage(1, 1, new byte[3], image(seed));
  }

  static float[] prompt(long seed) {
    float[] p = new float[NOISE * NOISE];
    for (int y = 0; y < NOISE; y++) {
      for (int x = 0; x < NOISE; x++) {
        long block = (y / 16) * 16L + x / 16;
        p[y * NOISE + x] = (hash32(seed + 1000, block) >>> 31) == 1 ? 255f : 0f;
      }
    }
    return p;
  }

  static Path resource(String name) {
    try {
      return Path.of(FixtureInputs.class.getResource("/torchscript/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("test resource torchscript/" + name + " missing", e);
    }
  }

  static JsonNode referenceMeta() throws IOException {
    try (InputStream in = Files.newInputStream(resource("reference.json"))) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** reference.bin: per item, every stride-th noise value, little-endian float32. */
  static float[][] referenceSamples(int items) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(resource("reference.bin"))).order(ByteOrder.LITTLE_ENDIAN);
    int perItem = b.remaining() / Float.BYTES / items;
    float[][] out = new float[items][perItem];
    for (float[] row : out) {
      b.asFloatBuffer().get(row);
      b.position(b.position() + perItem * Float.BYTES);
    }
    return out;
  }
}
