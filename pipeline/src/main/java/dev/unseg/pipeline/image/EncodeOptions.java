package dev.unseg.pipeline.image;

import java.util.Objects;

/**
 * How protected images are encoded.
 *
 * @param format the output format
 * @param jpegQuality JPEG quality 1..100 (used only when the output is JPEG)
 */
public record EncodeOptions(OutputFormat format, int jpegQuality) implements java.io.Serializable {
  public static final int DEFAULT_JPEG_QUALITY = 95;

  public EncodeOptions {
    Objects.requireNonNull(format, "format");
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException(
          "JPEG quality must be 1..100, got " + jpegQuality + "");
    }
  }

  /** Same format as the input, JPEG quality 95 (what the UnSeg reference writes). */
  public static EncodeOptions defaults() {
    return new EncodeOptions(OutputFormat.SAME, DEFAULT_JPEG_QUALITY);
  }
}
