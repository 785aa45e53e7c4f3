package dev.unseg.pipeline.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests as lowercase hex, the form the manifest and config use. */
public final class Sha256 {
  private Sha256() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  public static String hex(byte[] data) {
    return HexFormat.of().formatHex(newDigest().digest(data));
  }

  /**
   * The digest of a prompt P (values 0 or 255, {@code Composite.maskPrompt}) packed 8 values a byte, the first
   * in the lowest bit: 8 KiB to hash for 256x256, far less than the mask at image size, and what the noise
   * depends on.
   */
  public static String ofPrompt(float[] prompt) {
    byte[] bits = new byte[(prompt.length + 7) / 8];
    for (int i = 0; i < prompt.length; i++) {
      if (prompt[i] != 0f) {
        bits[i >> 3] |= (byte) (1 << (i & 7));
      }
    }
    return hex(bits);
  }

  public static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
