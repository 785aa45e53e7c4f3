package dev.unseg.pipeline.mask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A binary mask of {@code width x height} pixels, row-major, one byte per pixel (0 or 1).
 * One byte per pixel keeps the composite's inner loops branch-free and cheap to index.
 */
public final class BinaryMask {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private final int width;
  private final int height;
  private final byte[] pixels;
  /** The label value of each pixel (0 outside the mask) where the format has classes, or null. */
  private byte[] classes;

  public BinaryMask(int width, int height) {
    this(width, height, new byte[Math.multiplyExact(width, height)]);
  }

  /** Wraps {@code pixels} (not copied); every value must be 0 or 1. */
  public BinaryMask(int width, int height, byte[] pixels) {
    if (width <= 0 || height <= 0 || pixels.length != (long) width * height) {
      throw new IllegalArgumentException(
          "mask " + width + "x" + height + " needs " + (long) width * height + " pixels, got " + pixels.length);
    }
    this.width = width;
    this.height = height;
    this.pixels = pixels;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /**
   * The class (label value, 1-255) of each pixel in the mask and 0 outside it, row-major, where the dataset's
   * format gives classes (label maps); null otherwise. A class-keyed generator design colours each class its own way.
   */
  public byte[] classes() {
    return classes;
  }

  /** Sets {@link #classes()}: {@code width * height} label values, not copied. */
  public void classes(byte[] labels) {
    if (labels != null && labels.length != pixels.length) {
      throw new IllegalArgumentException("classes need " + pixels.length + " values, got " + labels.length);
    }
    this.classes = labels;
  }

  /** The backing array, row-major; callers that write to it own the mask. */
  public byte[] pixels() {
    return pixels;
  }

  public boolean get(int x, int y) {
    return pixels[y * width + x] != 0;
  }

  public void set(int x, int y) {
    pixels[y * width + x] = 1;
  }

  /** Adds every foreground pixel of {@code other} (same size) to this mask. */
  public void unionWith(BinaryMask other) {
    if (other.width != width || other.height != height) {
      throw new IllegalArgumentException(
          "cannot union a " + other.width + "x" + other.height + " mask into " + width + "x" + height);
    }
    byte[] o = other.pixels;
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] |= o[i];
    }
  }

  /** Foreground pixels: eight at a time, the set bits of a long view (every value is 0 or 1). */
  public long count() {
    long n = 0;
    int i = 0;
    for (int end = pixels.length - 7; i < end; i += 8) {
      n += Long.bitCount((long) LONGS.get(pixels, i));
    }
    for (; i < pixels.length; i++) {
      n += pixels[i];
    }
    return n;
  }

  public boolean isEmpty() {
    for (byte p : pixels) {
      if (p != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BinaryMask m && m.width == width && m.height == height && Arrays.equals(m.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "BinaryMask[" + width + "x" + height + ", " + count() + " px]";
  }
}
