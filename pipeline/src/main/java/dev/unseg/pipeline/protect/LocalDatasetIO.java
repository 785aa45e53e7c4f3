package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@link DatasetIO} on local folders, for the core's own tests and benchmarks; its
 * {@link #publish} is also how the jobs write to file:// outputs. Reads are confined to their roots.
 */
public final class LocalDatasetIO implements DatasetIO {
  /** The prefix of temporary files; a killed writer can leave them behind. */
  public static final String TEMP_PREFIX = "._unseg_tmp_";

  private final LocalAnnotationStore images;
  private final LocalAnnotationStore annotations;
  private final Path imagesOut;
  private final Path auditOut;

  public LocalDatasetIO(Path images, Path annotations, Path imagesOut, Path auditOut) {
    this.images = new LocalAnnotationStore(images);
    this.annotations = new LocalAnnotationStore(annotations);
    this.imagesOut = imagesOut;
    this.auditOut = auditOut;
  }

  @Override
  public byte[] readImage(String imagePath, long maxBytes) throws IOException {
    return images.read(imagePath, maxBytes);
  }

  @Override
  public AnnotationStore annotations() {
    return annotations;
  }

  @Override
  public void publishImage(String outputPath, byte[] data) throws IOException {
    publish(imagesOut.resolve(outputPath), data);
  }

  @Override
  public void publishAudit(String auditPath, byte[] data) throws IOException {
    publish(auditOut.resolve(auditPath), data);
  }

  /**
   * Writes a file so readers see nothing or all of it: the bytes go to a hidden temporary name
   * ({@link #TEMP_PREFIX}) in the same folder, then replace the target in one atomic rename. A
   * folder in the way is refused, not replaced.
   */
  public static void publish(Path target, byte[] data) throws IOException {
    if (Files.isDirectory(target)) {
      throw new IOException(target + " is a folder; the file cannot be written there");
    }
    Files.createDirectories(target.getParent());
    // Not Files.createTempFile: its files are owner-only (0600), and the rename would keep that.
    Path tmp = target.resolveSibling(TEMP_PREFIX + java.util.UUID.randomUUID() + "_" + target.getFileName());
    try {
      Files.write(tmp, data, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
