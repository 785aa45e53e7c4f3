package dev.unseg.pipeline.dataset;

import java.io.IOException;

/** An input file larger than the configured limit; its message names the file and the limit. */
public final class FileTooLargeException extends IOException {
  public FileTooLargeException(String message) {
    super(message);
  }

  /** The refusal of {@code file}, {@code length} bytes long, against the limit. */
  public static FileTooLargeException of(Object file, long length, long maxBytes) {
    return new FileTooLargeException(file + " holds " + length + " bytes, above unseg.limits.max-file-bytes = "
        + maxBytes + "; raise that limit to protect it");
  }
}
