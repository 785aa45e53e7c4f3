package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;

/**
 * Checks on the relative paths that dataset indexes name. A path from an index is untrusted: it
 * must never leave the root it is resolved against, whatever file system that root is on.
 */
public final class DatasetPaths {
  private DatasetPaths() {}

  /** Why {@code path} is not a safe relative path, or null when it is. */
  public static String unsafeReason(String path) {
    if (path == null || path.isEmpty()) {
      return "the path is empty";
    }
    if (path.indexOf('\0') >= 0) {
      return "the path contains a NUL character";
    }
    if (path.indexOf('\\') >= 0) {
      return "the path contains a backslash; dataset paths use '/'";
    }
    if (path.startsWith("/")) {
      return "the path is absolute";
    }
    int slash = path.indexOf('/');
    String first = slash < 0 ? path : path.substring(0, slash);
    // s3a://b/x, file:/x, C:/x and C:x name another root; a colon inside a name (a timestamp such as
    // 2020-01-01T10:00:00.tif) does not, since children are formed literally, never parsed as URIs
    if (first.endsWith(":") || first.matches("[A-Za-z]:.*")) {
      return "the path starts with a scheme or drive ('" + first + "')";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        return "the path has a '..' segment";
      }
    }
    return null;
  }

  /**
   * @throws InputException PATH_UNSAFE naming the path when it is empty, absolute, has a scheme or
   *     drive, a backslash, a NUL or a {@code ..} segment
   */
  public static void checkSafeRelativePath(String path) throws InputException {
    String why = unsafeReason(path);
    if (why != null) {
      throw new InputException(
          ErrorCode.PATH_UNSAFE,
          "refusing path '" + path + "': " + why + "; dataset paths must be relative to the dataset root and stay inside it");
    }
  }

  /** The part after the last '/', or the whole path. */
  static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The directory part including its trailing '/', or "" at the root. */
  static String directory(String path) {
    return path.substring(0, path.lastIndexOf('/') + 1);
  }

  /** The file name without its last extension. */
  static String stem(String path) {
    String name = fileName(path);
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? name : name.substring(0, dot);
  }

  /** The last extension without the dot, or "". */
  static String extension(String path) {
    String name = fileName(path);
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? "" : name.substring(dot + 1);
  }
}
