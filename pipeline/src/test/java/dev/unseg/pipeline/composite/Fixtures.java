package dev.unseg.pipeline.composite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Reads the fixtures written by src/test/python/make_composite_fixtures.py (see its docstring). Public for
 * the generator's device-side X (DeviceImageTest), which is checked against the same torch values.
 */
public final class Fixtures {
  static final String DIR = "/composite/";

  private Fixtures() {}

  public static List<JsonNode> cases() {
    try (InputStream in = open("cases.json")) {
      List<JsonNode> list = new ArrayList<>();
      new ObjectMapper().readTree(in).get("cases").forEach(list::add);
      return list;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InputStream open(String name) {
    InputStream in = Fixtures.class.getResourceAsStream(DIR + name);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + DIR + name);
    }
    return in;
  }

  static byte[] bytes(String name) {
    try (InputStream in = open(name)) {
      return name.endsWith(".gz") ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static float[] floats(String name) {
    ByteBuffer b = ByteBuffer.wrap(bytes(name)).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  /** The case's input image as interleaved RGB, built as the script built it. */
  public static byte[] image(JsonNode c) {
    int w = c.get("width").asInt();
    int h = c.get("height").asInt();
    JsonNode src = c.get("image");
    if (src.has("raw_gz")) {
      return bytes(src.get("raw_gz").asText());
    }
    BufferedImage png = png(src.get("png").asText());
    int x0 = src.path("x0").asInt(0);
    int y0 = src.path("y0").asInt(0);
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = png.getRGB((x0 + x) % png.getWidth(), (y0 + y) % png.getHeight());
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (p >> 16);
        rgb[i + 1] = (byte) (p >> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    return rgb;
  }

  private static BufferedImage png(String name) {
    try (InputStream in = open(name)) {
      return ImageIO.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] floatBytesLE(float[] f) {
    ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(f);
    return b.array();
  }
}
