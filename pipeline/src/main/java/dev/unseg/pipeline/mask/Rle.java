package dev.unseg.pipeline.mask;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.util.Arrays;
import java.util.List;

/**
 * A COCO run-length encoded mask: alternating runs of 0s and 1s (starting with 0s, possibly an
 * empty run) over the pixels in COLUMN-major order (down the first column, then the next), as
 * the COCO mask API stores them. Immutable; counts always sum to height x width.
 */
public final class Rle {
  private final int height;
  private final int width;
  private final int[] counts;

  private Rle(int height, int width, int[] counts) {
    this.height = height;
    this.width = width;
    this.counts = counts;
  }

  /**
   * Validates run lengths (copied) for a {@code height x width} mask.
   *
   * @throws InputException RLE_INVALID when a count is negative, the size is not positive, or the
   *     counts do not sum to height x width; {@code source} names the annotation
   */
  public static Rle of(int height, int width, int[] counts, String source) throws InputException {
    if (height <= 0 || width <= 0) {
      throw new InputException(ErrorCode.RLE_INVALID, source + ": RLE size " + height + "x" + width + " (h x w) is not positive");
    }
    long sum = 0;
    for (int c : counts) {
      if (c < 0) {
        throw new InputException(ErrorCode.RLE_INVALID, source + ": RLE has a negative count " + c);
      }
      sum += c;
    }
    long expected = (long) height * width;
    if (sum != expected) {
      throw new InputException(
          ErrorCode.RLE_INVALID,
          source + ": RLE counts sum to " + sum + " but its size " + height + "x" + width + " (h x w) needs " + expected
              + "; the segmentation's 'size' or 'counts' is wrong");
    }
    return new Rle(height, width, counts.clone());
  }

  /** Parses the compressed string form (see {@link RleStrings}). */
  public static Rle fromString(String counts, int height, int width, String source) throws InputException {
    return of(height, width, RleStrings.decode(counts, source), source);
  }

  /** Encodes a row-major mask (transposing to COCO's column-major order). */
  public static Rle encode(BinaryMask mask) {
    int w = mask.width();
    int h = mask.height();
    byte[] px = mask.pixels();
    int[] cnts = new int[16];
    int m = 0;
    int run = 0;
    byte prev = 0;
    for (int x = 0; x < w; x++) {
      for (int i = x, y = 0; y < h; y++, i += w) {
        byte v = px[i];
        if (v != prev) {
          if (m == cnts.length) {
            cnts = Arrays.copyOf(cnts, m * 2);
          }
          cnts[m++] = run;
          run = 0;
          prev = v;
        }
        run++;
      }
    }
    if (m == cnts.length) {
      cnts = Arrays.copyOf(cnts, m + 1);
    }
    cnts[m++] = run;
    return new Rle(h, w, Arrays.copyOf(cnts, m));
  }

  /** Trusted constructor for counts this package computed itself (already summing to h*w). */
  static Rle trusted(int height, int width, int[] counts) {
    return new Rle(height, width, counts);
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** A copy of the run lengths. */
  public int[] counts() {
    return counts.clone();
  }

  /** The compressed string form, identical to the COCO mask API's {@code rleToString}. */
  public String toCompressedString() {
    return RleStrings.encode(counts);
  }

  /** Number of foreground pixels: the sum of the odd-indexed runs. */
  public long area() {
    long a = 0;
    for (int j = 1; j < counts.length; j += 2) {
      a += counts[j];
    }
    return a;
  }

  public BinaryMask decode() {
    BinaryMask mask = new BinaryMask(width, height);
    orInto(mask);
    return mask;
  }

  /** Sets every foreground pixel of this RLE in {@code mask} (same size), without clearing it. */
  public void orInto(BinaryMask mask) {
    if (mask.width() != width || mask.height() != height) {
      throw new IllegalArgumentException("RLE " + width + "x" + height + " cannot be drawn into a " + mask.width() + "x" + mask.height() + " mask");
    }
    byte[] px = mask.pixels();
    long pos = 0; // column-major position
    for (int j = 0; j < counts.length; j++) {
      int c = counts[j];
      if ((j & 1) == 1 && c > 0) {
        int x = (int) (pos / height);
        int y = (int) (pos % height);
        for (int k = 0; k < c; k++) {
          px[y * width + x] = 1;
          if (++y == height) {
            y = 0;
            x++;
          }
        }
      }
      pos += c;
    }
  }

  /**
   * The union of same-sized RLEs, computed on the runs (as the mask API's {@code rleMerge}).
   *
   * @throws IllegalArgumentException when the list is empty or sizes differ
   */
  public static Rle union(List<Rle> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("union of no RLEs");
    }
    Rle acc = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      acc = union2(acc, parts.get(i));
    }
    return acc;
  }

  private static Rle union2(Rle a, Rle b) {
    if (a.height != b.height || a.width != b.width) {
      throw new IllegalArgumentException("cannot merge RLEs of " + a.width + "x" + a.height + " and " + b.width + "x" + b.height);
    }
    int[] out = new int[a.counts.length + b.counts.length + 1];
    int m = 0;
    int ia = 0;
    int ib = 0;
    long ra = a.counts.length > 0 ? a.counts[0] : 0; // remaining in current run
    long rb = b.counts.length > 0 ? b.counts[0] : 0;
    boolean va = false;
    boolean vb = false;
    boolean cur = false;
    long run = 0;
    long total = (long) a.height * a.width;
    long done = 0;
    while (done < total) {
      // skip exhausted (possibly empty) runs, toggling the value each time
      while (ra == 0) {
        ra = a.counts[++ia];
        va = !va;
      }
      while (rb == 0) {
        rb = b.counts[++ib];
        vb = !vb;
      }
      long step = Math.min(ra, rb);
      boolean v = va || vb;
      if (v != cur) {
        out[m++] = (int) run;
        run = 0;
        cur = v;
      }
      run += step;
      ra -= step;
      rb -= step;
      done += step;
    }
    out[m++] = (int) run;
    return new Rle(a.height, a.width, Arrays.copyOf(out, m));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rle r && r.height == height && r.width == width && Arrays.equals(r.counts, counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Rle[" + height + "x" + width + " (h x w), " + counts.length + " runs, area " + area() + "]";
  }
}
