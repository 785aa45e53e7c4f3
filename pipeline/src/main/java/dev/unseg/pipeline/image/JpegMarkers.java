package dev.unseg.pipeline.image;

import java.io.ByteArrayOutputStream;

/**
 * What a JPEG's header segments say about its colour, read from the bytes: the component count,
 * the Adobe colour transform, and the embedded ICC profile (kept as its raw APP2 segments so the
 * output can carry it unchanged). Also inserts segments into an encoded JPEG.
 *
 * @param components 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK/YCCK), 0 if no frame header was found
 * @param adobeTransform the APP14 Adobe transform flag (0 = stored as RGB), or -1 without APP14
 * @param iccSegments the APP2 ICC_PROFILE segments, markers included, or null
 * @param firstSampling the first component's sampling factors byte (h << 4 | v), or -1
 * @param quality the IJG quality of the first component's quantization table ({@link JpegQuality}), or -1
 */
record JpegMarkers(int components, int adobeTransform, byte[] iccSegments, int firstSampling, int quality) {

  /** Whether the samples are stored as YCbCr and need the JFIF conversion to become RGB. */
  boolean isYCbCr() {
    return components == 3 && adobeTransform != 0;
  }

  static JpegMarkers scan(byte[] d) {
    int components = 0;
    int adobe = -1;
    int sampling = -1;
    int firstTable = -1;
    int[][] tables = new int[4][];
    ByteArrayOutputStream icc = new ByteArrayOutputStream();
    int i = 2;
    while (i + 3 < d.length && (d[i] & 0xFF) == 0xFF) {
      int marker = d[i + 1] & 0xFF;
      if (marker == 0xFF) {
        i++;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        break;
      }
      int length = HeaderParser.be16(d, i + 2);
      if (length < 2 || i + 2 + length > d.length) {
        break;
      }
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof && length >= 8) {
        components = d[i + 9] & 0xFF;
        sampling = length >= 11 ? d[i + 11] & 0xFF : -1;
        firstTable = length >= 11 ? d[i + 12] & 0x03 : -1;
      } else if (marker == 0xDB) {
        readTables(d, i + 4, i + 2 + length, tables);
      } else if (marker == 0xEE && length >= 14 && startsWith(d, i + 4, "Adobe")) {
        adobe = d[i + 15] & 0xFF;
      } else if (marker == 0xE2 && length >= 16 && startsWith(d, i + 4, "ICC_PROFILE\0")) {
        icc.write(d, i, 2 + length);
      }
      i += 2 + length;
    }
    int quality = firstTable >= 0 && tables[firstTable] != null ? JpegQuality.estimate(tables[firstTable]) : -1;
    return new JpegMarkers(components, adobe, icc.size() == 0 ? null : icc.toByteArray(), sampling, quality);
  }

  /** The tables of one DQT segment, {@code d[from, to)}, by their ids, in stored (zigzag) order. */
  private static void readTables(byte[] d, int from, int to, int[][] tables) {
    int at = from;
    while (at < to) {
      int wide = (d[at] & 0xF0) >> 4;
      int id = d[at] & 0x03;
      int end = at + 1 + 64 * (wide + 1);
      if (end > to) {
        return;
      }
      int[] table = new int[64];
      for (int k = 0; k < 64; k++) {
        table[k] = wide == 0 ? d[at + 1 + k] & 0xFF : HeaderParser.be16(d, at + 1 + 2 * k);
      }
      tables[id] = table;
      at = end;
    }
  }

  /** {@code jpeg} with {@code segments} (complete marker segments) after its JFIF header. */
  static byte[] insertAfterJfif(byte[] jpeg, byte[] segments) {
    int at = 2;
    if (jpeg.length > 6 && (jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0) {
      at = 4 + HeaderParser.be16(jpeg, 4);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + segments.length);
    out.write(jpeg, 0, at);
    out.write(segments, 0, segments.length);
    out.write(jpeg, at, jpeg.length - at);
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] d, int at, String s) {
    for (int k = 0; k < s.length(); k++) {
      if (at + k >= d.length || d[at + k] != (byte) s.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
