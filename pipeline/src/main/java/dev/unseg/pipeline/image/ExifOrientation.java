package dev.unseg.pipeline.image;

/**
 * The EXIF orientation of a JPEG, carried from input to output so that a photo taken sideways
 * still displays upright after protection. Only this tag travels: the rest of EXIF (GPS, camera,
 * and the embedded thumbnail, which is an unprotected copy of the image) is left behind.
 */
final class ExifOrientation {
  static final int NORMAL = 1;
  private static final int ORIENTATION_TAG = 0x0112;

  private ExifOrientation() {}

  /** The orientation (1..8) in the first EXIF segment, or {@link #NORMAL} when absent or unreadable. */
  static int read(byte[] jpeg) {
    int p = 2;
    while (p + 4 <= jpeg.length && (jpeg[p] & 0xff) == 0xff) {
      int marker = jpeg[p + 1] & 0xff;
      int length = ((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff);
      if (marker == 0xda || marker == 0xd9 || length < 2) {
        return NORMAL; // start of scan: no more metadata segments
      }
      if (marker == 0xe1 && length >= 8 && p + 2 + length <= jpeg.length && isExifHeader(jpeg, p + 4)) {
        return orientation(jpeg, p + 10, p + 2 + length);
      }
      p += 2 + length;
    }
    return NORMAL;
  }

  private static boolean isExifHeader(byte[] b, int at) {
    return b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f' && b[at + 4] == 0 && b[at + 5] == 0;
  }

  /** Reads tag 0x0112 from IFD0 of the TIFF structure at {@code tiff}, bounded by {@code end}. */
  private static int orientation(byte[] b, int tiff, int end) {
    if (tiff + 8 > end) {
      return NORMAL;
    }
    boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
    long ifd = tiff + u32(b, tiff + 4, little);
    if (ifd + 2 > end) {
      return NORMAL;
    }
    int count = u16(b, (int) ifd, little);
    for (int i = 0; i < count; i++) {
      int entry = (int) ifd + 2 + 12 * i;
      if (entry + 12 > end) {
        return NORMAL;
      }
      if (u16(b, entry, little) == ORIENTATION_TAG && u16(b, entry + 2, little) == 3) {
        int v = u16(b, entry + 8, little);
        return v >= 1 && v <= 8 ? v : NORMAL;
      }
    }
    return NORMAL;
  }

  /** A minimal EXIF segment (APP1) holding only the orientation: no other tag, no thumbnail. */
  static byte[] segment(int orientation) {
    return new byte[] {
        (byte) 0xff, (byte) 0xe1, 0, 34,                    // APP1, length 34
        'E', 'x', 'i', 'f', 0, 0,
        'M', 'M', 0, 42, 0, 0, 0, 8,                        // big-endian TIFF, IFD0 at 8
        0, 1,                                               // one entry
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, 1 value
        0, 0, 0, 0};                                        // no next IFD (no thumbnail)
  }

  private static int u16(byte[] b, int at, boolean little) {
    return little ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 : (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at, boolean little) {
    return little
        ? (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24
        : (b[at] & 0xffL) << 24 | (b[at + 1] & 0xffL) << 16 | (b[at + 2] & 0xffL) << 8 | (b[at + 3] & 0xffL);
  }
}
