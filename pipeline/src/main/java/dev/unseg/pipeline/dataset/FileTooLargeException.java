package dev.unseg.pipeline.dataset;

import java.io.IOException;

/** An input file larger than the configured limit; its message names the file and the limit. */
public final class FileTooLargeException extends IOException {
  public FileTooLargeException(String message) {
    super(message);
  }
}
