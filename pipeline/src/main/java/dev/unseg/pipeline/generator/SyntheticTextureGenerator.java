package dev.unseg.pipeline.generator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The built-in generator that needs no weights: a training-free baseline, NOT UnSeg. It adds one fixed
 * pattern inside the mask (P = 255) and another outside (P = 0), the same for every image of a dataset. A
 * model can fit that mask-aligned pattern instead of the objects, which is the shortcut that makes noise
 * protective. Which pattern is the {@link Design}: by default (SHIFT) a flat colour, the one of the three
 * measured to protect under a real training recipe (docs/evaluate.md).
 *
 * <p>Everything is drawn from HMAC-SHA256 under the secret key (the texture designs' signs per cell of
 * {@code cellSize} noise pixels and channel, the shift's direction): the same key gives the same noise.
 * Values stay within +-{@value #AMPLITUDE} (inside [-1, 1]). The patterns are built once; {@link #generate}
 * only selects per pixel. Immutable, hence thread-safe.
 */
public final class SyntheticTextureGenerator implements NoiseGenerator {
  public static final String ID = "synthetic-texture";

  /**
   * How the two textures are made. {@code CELLS} (version 1): one sign per cell of {@code cellSize} and
   * channel. {@code OCTAVES} (version 2): a weighted sum, scaled into [-AMPLITUDE, AMPLITUDE], of a flat
   * keyed colour per region (what JPEG, blur and resizing keep), a luminance texture of cells 4x
   * {@code cellSize} (what grayscale keeps) and colour textures of cells 2x and 1x {@code cellSize}
   * (several scales, so random rescaling in training does not wash all of it out). {@code SHIFT} (version
   * 3): a flat keyed colour at the full amplitude inside, its opposite outside: a flat shift is what JPEG,
   * blur and resizing keep best; grayscale removes most of it. {@code CLASSES} (version 4): the shift, but inside the
   * mask each class of a label map (ADE20K, Cityscapes, VOC) its own keyed colour at the full amplitude: on a dense
   * label map, whose mask is nearly the whole image, the shift is one tint and sets nothing apart; there the classes'
   * colours do. Where the format gives no classes it is the shift, value for value.
   */
  public enum Design {
    CELLS("1"),
    OCTAVES("2"),
    SHIFT("3"),
    CLASSES("4");

    private final String version;

    Design(String version) {
      this.version = version;
    }

    public String version() {
      return version;
    }
  }

  /** Weights of the octaves design's parts: flat colour, luminance cells, colour cells 2x, colour cells 1x. */
  private static final float[] OCTAVE_WEIGHTS = {0.4f, 0.2f, 0.2f, 0.2f};
  /**
   * One noise pixel covers S/256 image pixels (S = the longer image side). On a ~640-px COCO image that is
   * 2.5 px, so 3-noise-pixel cells are ~7.5 image pixels: coarse enough to survive JPEG (a one-seed probe
   * before this product: 2-px cells lost about half their effect at quality 75, 8-px cells kept most of it), fine enough to keep many
   * cells per object. Larger images get proportionally larger cells.
   */
  public static final int DEFAULT_CELL_SIZE = 3;

  static final float AMPLITUDE = 0.99f;
  private static final int N = NOISE_SIZE;
  private static final int PLANE = N * N;

  private final float[] inside;
  private final float[] outside;
  /** CLASSES: each label value's colour, 3 values (null for 0 and for the other designs). */
  private final float[][] classColours;
  private final GeneratorInfo info;

  public SyntheticTextureGenerator(String secretKey) {
    this(secretKey, DEFAULT_CELL_SIZE, Design.CELLS);
  }

  public SyntheticTextureGenerator(String secretKey, int cellSize, Design design) {
    if (secretKey == null || secretKey.isEmpty()) {
      throw new IllegalArgumentException("the synthetic texture generator needs a non-empty secret key");
    }
    if (cellSize < 1 || cellSize > N) {
      throw new IllegalArgumentException("cell size must be 1.." + N + " noise pixels, got " + cellSize);
    }
    Mac mac = hmac(secretKey);
    this.inside = region(design, mac, "inside", cellSize, 1);
    this.outside = region(design, mac, "outside", cellSize, -1);
    this.classColours = design == Design.CLASSES ? classColours(mac) : null;
    this.info = new GeneratorInfo(ID, design.version(), digest(design, cellSize, inside, outside, classColours),
        GeneratorInfo.ImageInput.NONE);
  }

  @Override
  public GeneratorInfo info() {
    return info;
  }

  /** Images are ignored (image input NONE); each prompt selects inside/outside per noise pixel. */
  @Override
  public List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts) {
    return generate(images, prompts, java.util.Collections.nCopies(prompts.size(), null));
  }

  /** The same, the CLASSES design colouring each noise pixel inside the mask by its class (when it has one). */
  @Override
  public List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts, List<byte[]> classes) {
    List<float[]> out = new ArrayList<>(prompts.size());
    for (int k = 0; k < prompts.size(); k++) {
      float[] p = prompts.get(k);
      byte[] labels = classColours == null ? null : classes.get(k);
      if (p.length != PLANE || labels != null && labels.length != PLANE) {
        throw new IllegalArgumentException("prompt and classes need " + PLANE + " values, got " + p.length
            + (labels == null ? "" : " and " + labels.length));
      }
      float[] noise = new float[3 * PLANE];
      for (int c = 0; c < 3; c++) {
        int base = c * PLANE;
        for (int i = 0; i < PLANE; i++) {
          int label = labels == null ? 0 : labels[i] & 0xFF;
          noise[base + i] = p[i] <= 127.5f ? outside[base + i] : label == 0 ? inside[base + i] : classColours[label][c];
        }
      }
      out.add(noise);
    }
    return out;
  }

  /** One region's noise; sign is +1 inside, -1 outside (the designs whose flat colour flips there). */
  private static float[] region(Design design, Mac mac, String label, int cellSize, int sign) {
    return switch (design) {
      case CELLS -> texture(mac, label, cellSize);
      case OCTAVES -> octaves(mac, label, cellSize, sign);
      case SHIFT, CLASSES -> shift(mac, sign);
    };
  }

  /** 3 x 256 x 256 texture: per channel and cell, a sign drawn from HMAC(key, label/channel/counter). */
  private static float[] texture(Mac mac, String label, int cellSize) {
    int cells = (N + cellSize - 1) / cellSize;
    float[] t = new float[3 * PLANE];
    for (int c = 0; c < 3; c++) {
      byte[] bits = keyedBytes(mac, label + "/" + c, (cells * cells + 7) / 8);
      for (int y = 0; y < N; y++) {
        for (int x = 0; x < N; x++) {
          int cell = (y / cellSize) * cells + x / cellSize;
          boolean positive = (bits[cell >> 3] >> (cell & 7) & 1) != 0;
          t[c * PLANE + y * N + x] = positive ? AMPLITUDE : -AMPLITUDE;
        }
      }
    }
    return t;
  }

  /**
   * The octaves design's texture of one region: per channel, w0 x a keyed sign (a flat colour) + w1 x
   * a luminance texture (one sign per cell for all three channels, cells 4 x cellSize) + w2, w3 x
   * colour textures (cells 2x and 1x cellSize), over the sum of the weights, times AMPLITUDE. The flat
   * colour is one keyed sign per channel, negated outside (flatSign -1), so inside and outside always
   * differ in it.
   */
  private static float[] octaves(Mac mac, String label, int cellSize, int flatSign) {
    float total = 0;
    for (float w : OCTAVE_WEIGHTS) {
      total += w;
    }
    byte[] flat = keyedBytes(mac, "octaves/flat", 1);
    float[] luminance = texture(mac, label + "/octaves/luminance", Math.min(N, 4 * cellSize));
    float[] coarse = texture(mac, label + "/octaves/coarse", Math.min(N, 2 * cellSize));
    float[] fine = texture(mac, label + "/octaves/fine", cellSize);
    float[] t = new float[3 * PLANE];
    for (int c = 0; c < 3; c++) {
      float sign = flatSign * ((flat[0] >> c & 1) != 0 ? 1 : -1);
      for (int i = 0; i < PLANE; i++) {
        float v = OCTAVE_WEIGHTS[0] * sign + OCTAVE_WEIGHTS[1] * Math.signum(luminance[i])
            + OCTAVE_WEIGHTS[2] * Math.signum(coarse[c * PLANE + i]) + OCTAVE_WEIGHTS[3] * Math.signum(fine[c * PLANE + i]);
        t[c * PLANE + i] = AMPLITUDE * v / total;
      }
    }
    return t;
  }

  /**
   * The colours of the shift design: magenta (+R -G +B) or green, the YIQ Q axis. Natural photos vary
   * least along it, so a shift of eps there stands out more than anywhere else: on 64-px mask pairs (the
   * probe of docs/evaluate.md) it took 41% off, a brightness shift of the same size none.
   */
  private static final int[][] SHIFT_COLOURS = {{1, -1, 1}, {-1, 1, -1}};

  /** The shift design's noise of one region: the keyed colour x AMPLITUDE everywhere, negated outside (sign -1). */
  private static float[] shift(Mac mac, int sign) {
    int[] colour = SHIFT_COLOURS[(keyedBytes(mac, "shift/colour", 1)[0] & 0xff) % SHIFT_COLOURS.length];
    float[] t = new float[3 * PLANE];
    for (int c = 0; c < 3; c++) {
      Arrays.fill(t, c * PLANE, (c + 1) * PLANE, sign * colour[c] * AMPLITUDE);
    }
    return t;
  }

  /**
   * The CLASSES design's colours, at the full amplitude as the shift's: the 24 directions of {-1, 0, 1}^3 other than
   * none and brightness (+-(1, 1, 1): photos vary most in it), the 6 cube corners first (the farthest apart), in
   * an order keyed by the secret; label value L takes direction (L - 1) mod 24, so the first 24 classes of a
   * format (and any 6 of the corners') all differ.
   */
  private static float[][] classColours(Mac mac) {
    List<int[]> corners = new ArrayList<>();
    List<int[]> others = new ArrayList<>();
    for (int r = -1; r <= 1; r++) {
      for (int g = -1; g <= 1; g++) {
        for (int b = -1; b <= 1; b++) {
          boolean gray = r == g && g == b;
          if (!gray) {
            (r != 0 && g != 0 && b != 0 ? corners : others).add(new int[] {r, g, b});
          }
        }
      }
    }
    List<int[]> directions = new ArrayList<>(keyedOrder(mac, "classes/corners", corners));
    directions.addAll(keyedOrder(mac, "classes/others", others));
    float[][] colours = new float[256][];
    for (int label = 1; label < 256; label++) {
      int[] d = directions.get((label - 1) % directions.size());
      colours[label] = new float[] {d[0] * AMPLITUDE, d[1] * AMPLITUDE, d[2] * AMPLITUDE};
    }
    return colours;
  }

  /** {@code items} shuffled by keyed bytes (Fisher-Yates). */
  private static <T> List<T> keyedOrder(Mac mac, String label, List<T> items) {
    List<T> out = new ArrayList<>(items);
    byte[] b = keyedBytes(mac, label, 2 * out.size());
    for (int i = out.size() - 1; i > 0; i--) {
      int j = ((b[2 * i] & 0xFF) << 8 | (b[2 * i + 1] & 0xFF)) % (i + 1);
      java.util.Collections.swap(out, i, j);
    }
    return out;
  }

  /** HMAC-SHA256 in counter mode: block k = HMAC(key, "unseg-synthetic-texture/v1/" + label + "/" + k). */
  private static byte[] keyedBytes(Mac mac, String label, int length) {
    byte[] out = new byte[length];
    for (int k = 0, pos = 0; pos < length; k++) {
      byte[] block = mac.doFinal(("unseg-synthetic-texture/v1/" + label + "/" + k).getBytes(StandardCharsets.UTF_8));
      int n = Math.min(block.length, length - pos);
      System.arraycopy(block, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  /** SHA-256 over the generated parameters (cell size and both textures): identifies them, never the key. */
  private static String digest(Design design, int cellSize, float[] inside, float[] outside, float[][] classColours) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((ID + "/" + design.version() + "/cell=" + cellSize).getBytes(StandardCharsets.UTF_8));
      List<float[]> parts = new ArrayList<>(List.of(inside, outside));
      if (classColours != null) {
        parts.addAll(Arrays.asList(classColours).subList(1, classColours.length));
      }
      for (float[] t : parts) {
        ByteBuffer b = ByteBuffer.allocate(t.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t);
        sha.update(b.array());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Identifies a key without revealing it: HMAC-SHA256 of a fixed label under the key. A run records
   * it, so that resuming with another key (which would mix two textures in one release) is refused.
   */
  public static String keyFingerprint(String secretKey) {
    return HexFormat.of().formatHex(hmac(secretKey).doFinal("unseg-key-fingerprint/v1".getBytes(StandardCharsets.UTF_8)));
  }

  private static Mac hmac(String secretKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
