package dev.unseg.pipeline.mask;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.util.Arrays;

/**
 * The COCO mask API's compressed RLE string form: each count as a LEB128-like variable-length
 * number of 5-bit groups, one printable char each (ascii 48..111); from the fourth count on, the
 * count minus the count two places before is stored, which keeps alternating run lengths short.
 */
public final class RleStrings {
  private RleStrings() {}

  /**
   * Decodes a compressed counts string into run lengths.
   *
   * @throws InputException RLE_INVALID for characters outside 48..111, a truncated number, or a
   *     negative or oversized count; {@code source} names the annotation in the message
   */
  public static int[] decode(String s, String source) throws InputException {
    int[] cnts = new int[Math.max(4, s.length())];
    int m = 0;
    int p = 0;
    int len = s.length();
    while (p < len) {
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= len) {
          throw invalid(source, "the counts string ends in the middle of a number");
        }
        int c = s.charAt(p) - 48;
        if (c < 0 || c > 63) {
          throw invalid(source, "character '" + s.charAt(p) + "' at offset " + p + " is not a COCO RLE character (ascii 48..111)");
        }
        if (k >= 12) {
          throw invalid(source, "a number at offset " + p + " is longer than any count can be");
        }
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k); // sign-extend: a negative delta
        }
      }
      if (m > 2) {
        x += cnts[m - 2];
      }
      if (x < 0 || x > Integer.MAX_VALUE) {
        throw invalid(source, "count #" + m + " decodes to " + x + ", outside 0.." + Integer.MAX_VALUE);
      }
      cnts[m++] = (int) x;
    }
    return Arrays.copyOf(cnts, m);
  }

  /** Encodes run lengths exactly as the COCO mask API's {@code rleToString}. */
  public static String encode(int[] cnts) {
    StringBuilder sb = new StringBuilder(cnts.length * 2);
    for (int i = 0; i < cnts.length; i++) {
      long x = cnts[i];
      if (i > 2) {
        x -= cnts[i - 2];
      }
      boolean more = true;
      while (more) {
        int c = (int) (x & 0x1f);
        x >>= 5; // arithmetic shift keeps the sign, as the C code's long does
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        sb.append((char) (c + 48));
      }
    }
    return sb.toString();
  }

  private static InputException invalid(String source, String what) {
    return new InputException(ErrorCode.RLE_INVALID, source + ": invalid compressed RLE counts: " + what);
  }
}
