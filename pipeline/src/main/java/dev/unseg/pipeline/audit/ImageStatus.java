package dev.unseg.pipeline.audit;

/** The outcome for one input image, as written to the manifest's {@code status} column. */
public enum ImageStatus {
  /** Noise was added and the protected image written. */
  PROTECTED("protected"),
  /** The union mask is empty: the image was written without noise, as the reference does. */
  NO_MASK("no_mask"),
  /** Nothing was written for this image; {@code error_code} says why. */
  FAILED("failed");

  private final String label;

  ImageStatus(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static ImageStatus fromLabel(String label) {
    for (ImageStatus s : values()) {
      if (s.label.equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown status '" + label + "'");
  }
}
