package dev.unseg.pipeline.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The system's libjpeg-turbo through its TurboJPEG API ({@code libturbojpeg.so.0}, Debian package
 * {@code libturbojpeg0}), bound with JNA direct mapping. Only the few calls {@link ImageCodec} needs; pixels
 * go in and out as interleaved RGB or gray bytes, never through AWT images.
 *
 * <p>Decoding is restricted to what gives exactly ImageIO's (libjpeg 6b's) pixels: the accurate integer
 * DCT, fancy upsampling, and only the samplings where both libraries upsample alike (4:4:4, 4:2:2, 4:2:0 and
 * gray; libjpeg-turbo smooths 4:4:0 vertically where 6b replicates). Anything else, and any file the
 * library warns about, returns null and the caller falls back to ImageIO. Handles are per thread (a
 * TurboJPEG handle is not thread-safe). Linux (LP64) only: {@code unsigned long} is mapped to a Java long.
 */
final class TurboJpeg {
  static final int PF_RGB = 0;
  static final int PF_GRAY = 6;
  static final int SAMP_444 = 0;
  static final int SAMP_422 = 1;
  static final int SAMP_420 = 2;
  static final int SAMP_GRAY = 3;
  static final int SAMP_440 = 4;
  static final int SAMP_411 = 5;
  private static final int CS_YCBCR = 1;
  private static final int CS_GRAY = 2;
  /** libjpeg's JDCT_ISLOW, as ImageIO (libjpeg 6b) uses it, instead of TurboJPEG's default fast DCT. */
  private static final int FLAG_ACCURATEDCT = 4096;

  /** Null when loaded; otherwise why not, for messages. */
  private static final String UNAVAILABLE = load();

  private static final ThreadLocal<Pointer> DECOMPRESSOR = ThreadLocal.withInitial(Lib::tjInitDecompress);
  private static final ThreadLocal<Pointer> COMPRESSOR = ThreadLocal.withInitial(Lib::tjInitCompress);

  private TurboJpeg() {}

  static boolean available() {
    return UNAVAILABLE == null;
  }

  /** Why the library cannot be used, with the fix; null when it can. */
  static String unavailableReason() {
    return UNAVAILABLE;
  }

  private static String load() {
    try {
      Lib.tjGetErrorStr2(null); // forces the binding
      return null;
    } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError (JNA's own native part missing)
      return "libturbojpeg (libjpeg-turbo's TurboJPEG library) could not be loaded (" + e.getMessage()
          + "); install it (Debian/Ubuntu: apt-get install libturbojpeg0; RHEL/Amazon Linux: dnf install"
          + " turbojpeg) or set unseg.codec.jpeg = imageio";
    }
  }

  /**
   * The pixels of a JPEG (interleaved RGB, or one gray byte per pixel when {@code gray}), exactly as ImageIO
   * decodes them; null when this file is not one TurboJPEG decodes exactly like ImageIO (sampling, colour
   * space, size other than {@code width x height}) or when the library reports any error or warning.
   */
  static byte[] decode(byte[] jpeg, int width, int height, boolean gray) {
    Pointer handle = DECOMPRESSOR.get();
    int[] w = new int[1];
    int[] h = new int[1];
    int[] subsamp = new int[1];
    int[] colorspace = new int[1];
    if (handle == null) {
      return null;
    }
    if (Lib.tjDecompressHeader3(handle, jpeg, jpeg.length, w, h, subsamp, colorspace) != 0) {
      discard(DECOMPRESSOR, handle);
      return null;
    }
    if (w[0] != width || h[0] != height) {
      return null;
    }
    boolean exact = gray
        ? colorspace[0] == CS_GRAY && subsamp[0] == SAMP_GRAY
        : colorspace[0] == CS_YCBCR && (subsamp[0] == SAMP_444 || subsamp[0] == SAMP_422 || subsamp[0] == SAMP_420);
    if (!exact) {
      return null;
    }
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(width, height), gray ? 1 : 3)];
    // Any non-zero return, warnings included (a cut file, extraneous bytes): ImageIO's path then decides
    // whether the file is damaged, with its own messages.
    int rc = Lib.tjDecompress2(handle, jpeg, jpeg.length, out, width, 0, height, gray ? PF_GRAY : PF_RGB,
        FLAG_ACCURATEDCT);
    if (rc != 0) {
      discard(DECOMPRESSOR, handle);
      return null;
    }
    return out;
  }

  /**
   * Drops a thread's handle after a failed call: TurboJPEG 2.1 leaves a handle whose header read failed in
   * a state where every later call fails ("Improper call to JPEG library"), so the next call gets a new one.
   */
  private static void discard(ThreadLocal<Pointer> slot, Pointer handle) {
    slot.remove();
    Lib.tjDestroy(handle);
  }

  /**
   * A baseline JPEG of {@code pixels} (RGB, or gray when {@code subsamp} is {@link #SAMP_GRAY}) at
   * {@code quality}, with the accurate DCT and standard Huffman tables, as ImageIO's writer makes it.
   */
  static byte[] encode(byte[] pixels, int width, int height, int subsamp, int quality) {
    Pointer handle = COMPRESSOR.get();
    if (handle == null) {
      throw new IllegalStateException("libturbojpeg: tjInitCompress failed");
    }
    long[] buffer = {0};
    long[] size = {0};
    int rc = Lib.tjCompress2(handle, pixels, width, 0, height, subsamp == SAMP_GRAY ? PF_GRAY : PF_RGB,
        buffer, size, subsamp, quality, FLAG_ACCURATEDCT);
    try {
      if (rc != 0) {
        String why = Lib.tjGetErrorStr2(handle);
        discard(COMPRESSOR, handle);
        throw new IllegalStateException("libturbojpeg: " + why);
      }
      return new Pointer(buffer[0]).getByteArray(0, Math.toIntExact(size[0]));
    } finally {
      if (buffer[0] != 0) {
        Lib.tjFree(new Pointer(buffer[0]));
      }
    }
  }

  /** The native functions; a nested class so that a failed binding leaves {@link TurboJpeg} loadable. */
  private static final class Lib {
    static {
      NativeLibrary lib;
      try {
        lib = NativeLibrary.getInstance("turbojpeg");
      } catch (UnsatisfiedLinkError e) {
        lib = NativeLibrary.getInstance("libturbojpeg.so.0"); // Debian's runtime package has no .so link
      }
      Native.register(Lib.class, lib);
    }

    static native Pointer tjInitDecompress();

    static native Pointer tjInitCompress();

    static native int tjDecompressHeader3(Pointer handle, byte[] jpeg, long size, int[] width, int[] height,
        int[] subsamp, int[] colorspace);

    static native int tjDecompress2(Pointer handle, byte[] jpeg, long size, byte[] dst, int width, int pitch,
        int height, int pixelFormat, int flags);

    static native int tjCompress2(Pointer handle, byte[] src, int width, int pitch, int height, int pixelFormat,
        long[] jpegBuf, long[] jpegSize, int subsamp, int quality, int flags);

    static native void tjFree(Pointer buffer);

    static native int tjDestroy(Pointer handle);

    static native String tjGetErrorStr2(Pointer handle);
  }
}
