package dev.unseg.pipeline.image;

/** Which format protected images are written in. */
public enum OutputFormat {
  /** The input's own format (as found in its bytes) under the input's own path. */
  SAME,
  /** Lossless PNG: keeps the perturbation bound exactly. */
  PNG,
  /** JPEG at {@link EncodeOptions#jpegQuality()}: smaller, but the encoder blurs the perturbation. */
  JPEG;

  /** The format an image of {@code inputFormat} is written in. */
  public ImageFormat target(ImageFormat inputFormat) {
    return switch (this) {
      case SAME -> inputFormat;
      case PNG -> ImageFormat.PNG;
      case JPEG -> ImageFormat.JPEG;
    };
  }

  /**
   * The relative output path: unchanged when the format stays the same, else the extension is
   * replaced by .png or .jpg (or appended when the name has none).
   */
  public String outputPath(String inputRelativePath, ImageFormat inputFormat) {
    ImageFormat target = target(inputFormat);
    if (target == inputFormat) {
      return inputRelativePath;
    }
    int slash = inputRelativePath.lastIndexOf('/');
    int dot = inputRelativePath.lastIndexOf('.');
    String stem = dot > slash + 1 ? inputRelativePath.substring(0, dot) : inputRelativePath;
    return stem + "." + target.extension();
  }
}
