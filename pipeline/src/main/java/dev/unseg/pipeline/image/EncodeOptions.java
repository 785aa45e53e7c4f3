package dev.unseg.pipeline.image;

import java.util.Objects;

/**
 * How protected images are encoded.
 *
 * @param format the output format
 * @param jpegQuality JPEG quality 1..100, or {@link #INPUT_JPEG_QUALITY} for each JPEG input's own (used only
 *     when the output is JPEG)
 */
public record EncodeOptions(OutputFormat format, int jpegQuality) implements java.io.Serializable {
  public static final int DEFAULT_JPEG_QUALITY = 95;
  /** Each JPEG input written again at the quality it was written at; other inputs at the default. */
  public static final int INPUT_JPEG_QUALITY = 0;
  /** The setting's word for {@link #INPUT_JPEG_QUALITY}. */
  public static final String SAME_QUALITY = "same";

  public EncodeOptions {
    Objects.requireNonNull(format, "format");
    if (jpegQuality < INPUT_JPEG_QUALITY || jpegQuality > 100) {
      throw new IllegalArgumentException("JPEG quality must be 1..100 or " + INPUT_JPEG_QUALITY + ", got " + jpegQuality);
    }
  }

  /** Same format as the input, JPEG quality 95 (what the UnSeg reference writes). */
  public static EncodeOptions defaults() {
    return new EncodeOptions(OutputFormat.SAME, DEFAULT_JPEG_QUALITY);
  }

  /** The quality as the setting says it: "95", or "same". */
  public String jpegQualitySetting() {
    return jpegQuality == INPUT_JPEG_QUALITY ? SAME_QUALITY : Integer.toString(jpegQuality);
  }

  /** The quality {@code original}'s JPEG output is written at. */
  int jpegQualityFor(DecodedImage original) {
    if (jpegQuality != INPUT_JPEG_QUALITY) {
      return jpegQuality;
    }
    JpegCarry jpeg = original.jpeg();
    return jpeg != null && jpeg.quality() > 0 ? jpeg.quality() : DEFAULT_JPEG_QUALITY;
  }
}
