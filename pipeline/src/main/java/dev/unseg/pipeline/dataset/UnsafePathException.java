package dev.unseg.pipeline.dataset;

import java.nio.file.AccessDeniedException;

/**
 * A dataset path that could leave its root (../x, an absolute path): refused by this tool, so the image's row
 * says path_unsafe. A storage's own refusal (permissions, a 403) is a plain {@link AccessDeniedException}.
 */
public final class UnsafePathException extends AccessDeniedException {
  private static final long serialVersionUID = 1L;

  public UnsafePathException(String relativePath, String reason) {
    super(relativePath, null, reason);
  }
}
