package dev.unseg.pipeline.error;

/**
 * Why one image could not be protected. Each value is written to the manifest's {@code error_code}
 * column as its {@link #code()}; users filter on these, so never rename one.
 */
public enum ErrorCode {
  /** The image file named by the dataset does not exist. */
  IMAGE_MISSING("image_missing"),
  /** The image bytes cannot be decoded: truncated, corrupt, zero bytes, or not the format it claims. */
  IMAGE_UNREADABLE("image_unreadable"),
  /** The image decodes but its pixel layout cannot become 8-bit RGB (or back). */
  IMAGE_UNSUPPORTED("image_unsupported"),
  /** The header declares more pixels than {@code unseg.limits.max-pixels}. */
  IMAGE_TOO_LARGE("image_too_large"),
  /** The annotation (label PNG, mask file) the image needs does not exist. */
  ANNOTATION_MISSING("annotation_missing"),
  /** The annotation exists but cannot be read or parsed. */
  ANNOTATION_INVALID("annotation_invalid"),
  /** A label map or mask has another size than its image. */
  MASK_SIZE_MISMATCH("mask_size_mismatch"),
  /** A polygon part with fewer than 2 points or an odd coordinate count, or NaN/infinite coordinates. */
  POLYGON_INVALID("polygon_invalid"),
  /** An RLE whose counts do not sum to height x width, or that cannot be decoded. */
  RLE_INVALID("rle_invalid"),
  /** A label or category id outside the range the format allows. */
  CLASS_OUT_OF_RANGE("class_out_of_range"),
  /** A path that would leave the dataset root ({@code ..}, absolute paths). */
  PATH_UNSAFE("path_unsafe"),
  /** Two dataset entries name the same image file. */
  DUPLICATE_IMAGE("duplicate_image"),
  /** The generator failed on this image's batch. */
  GENERATOR_FAILED("generator_failed"),
  /** The protected image could not be encoded. */
  ENCODE_FAILED("encode_failed"),
  /** The protected image could not be written to the output location. */
  OUTPUT_WRITE_FAILED("output_write_failed"),
  /** A bug: anything not classified above. The message carries the exception. */
  INTERNAL_ERROR("internal_error");

  private final String code;

  ErrorCode(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
