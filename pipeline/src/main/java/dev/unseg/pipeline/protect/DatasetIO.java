package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.dataset.AnnotationStore;
import java.io.IOException;

/**
 * All I/O one partition of a protect run does: read images, read annotations, publish outputs.
 * Paths are relative and '/'-separated.
 * Implementations: local files (tests, laptops) and Hadoop FileSystem (the jobs).
 */
public interface DatasetIO {
  /**
   * Reads a whole image file.
   *
   * @throws java.io.FileNotFoundException when it does not exist
   * @throws dev.unseg.pipeline.dataset.FileTooLargeException when it holds more than {@code maxBytes}
   */
  byte[] readImage(String imagePath, long maxBytes) throws IOException;

  AnnotationStore annotations();

  /**
   * Writes a protected image at {@code outputPath}, relative to where the images root is mirrored
   * in the output, so that readers see either nothing or the complete file, replacing an earlier
   * attempt's file.
   */
  void publishImage(String outputPath, byte[] data) throws IOException;

  /** Writes an audit file (a mask PNG) at {@code auditPath}, relative to the output's {@code _unseg/}. */
  void publishAudit(String auditPath, byte[] data) throws IOException;
}
