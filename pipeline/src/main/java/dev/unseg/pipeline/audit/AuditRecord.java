package dev.unseg.pipeline.audit;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.generator.GeneratorInfo;

/**
 * What happened to one input image: the manifest's row, before the job adds its run id, task
 * attempt and timings. Fields that do not apply (an output for a failed image, a distortion for
 * a region without pixels) are null.
 *
 * @param inputPath the image's path relative to the images root, as the dataset names it
 * @param format the input's format as decoded ({@code jpeg}, {@code png}, {@code tiff})
 * @param maskPixels foreground pixels of the union mask
 * @param epsPixels pixels that got the inside budget {@code eps}: the union mask as the generator
 *     saw it (through the 256x256 prompt), which can differ from the mask by a pixel or two at edges
 * @param promptSha256 the SHA-256 of that prompt ({@link Sha256#ofPrompt}): the noise depends on the mask through
 *     it only, so --resume compares it to tell an edited annotation that changes the protection; null without one
 * @param eps noise budget inside the mask, grey levels
 * @param epsBackground noise budget outside the mask, grey levels
 */
public record AuditRecord(
    String inputPath,
    Long inputBytes,
    String inputSha256,
    String outputPath,
    Long outputBytes,
    String outputSha256,
    Integer width,
    Integer height,
    String format,
    Long maskPixels,
    Long epsPixels,
    String promptSha256,
    double eps,
    double epsBackground,
    String generatorId,
    String generatorVersion,
    String modelDigest,
    Distortion distortion,
    ImageStatus status,
    String errorCode,
    String errorMessage) {

  /** Builder-style start for the fields known before anything is read. */
  public static AuditRecord.Builder forInput(String inputPath, double eps, double epsBackground, GeneratorInfo generator) {
    return new Builder(inputPath, eps, epsBackground, generator);
  }

  /** Collects fields as the image moves through the stages, so a failure at any stage keeps what was known. */
  public static final class Builder {
    private final String inputPath;
    private final double eps;
    private final double epsBackground;
    private final GeneratorInfo generator;
    private Long inputBytes;
    private String inputSha256;
    private Integer width;
    private Integer height;
    private String format;
    private Long maskPixels;
    private String promptSha256;

    private Builder(String inputPath, double eps, double epsBackground, GeneratorInfo generator) {
      this.inputPath = inputPath;
      this.eps = eps;
      this.epsBackground = epsBackground;
      this.generator = generator;
    }

    public Builder input(long bytes, String sha256) {
      this.inputBytes = bytes;
      this.inputSha256 = sha256;
      return this;
    }

    public Builder image(int width, int height, String format) {
      this.width = width;
      this.height = height;
      this.format = format;
      return this;
    }

    public Builder maskPixels(long maskPixels) {
      this.maskPixels = maskPixels;
      return this;
    }

    public Builder promptSha256(String promptSha256) {
      this.promptSha256 = promptSha256;
      return this;
    }

    public AuditRecord written(ImageStatus status, String outputPath, long outputBytes, String outputSha256,
        long epsPixels, Distortion distortion) {
      return new AuditRecord(inputPath, inputBytes, inputSha256, outputPath, outputBytes, outputSha256,
          width, height, format, maskPixels, epsPixels, promptSha256, eps, epsBackground, generator.id(), generator.version(),
          generator.modelDigest(), distortion, status, null, null);
    }

    public AuditRecord failed(ErrorCode code, String message) {
      return new AuditRecord(inputPath, inputBytes, inputSha256, null, null, null,
          width, height, format, maskPixels, null, promptSha256, eps, epsBackground, generator.id(), generator.version(),
          generator.modelDigest(), null, ImageStatus.FAILED, code.code(), message);
    }
  }
}
