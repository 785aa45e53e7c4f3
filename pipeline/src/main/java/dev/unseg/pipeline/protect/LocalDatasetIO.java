package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@link DatasetIO} on local folders, for the core's own tests and benchmarks (the jobs use
 * Hadoop FileSystem for every scheme, file:// included). Reads are confined to their roots.
 */
public final class LocalDatasetIO implements DatasetIO {
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
    try (InputStream in = images.open(imagePath)) {
      byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (data.length > maxBytes) {
        throw new FileTooLargeException(imagePath + " holds more than " + maxBytes
            + " bytes (unseg.limits.max-file-bytes); raise that limit to protect it");
      }
      return data;
    }
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

  private static void publish(Path target, byte[] data) throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), "._unseg_tmp_", "_" + target.getFileName());
    try {
      Files.write(tmp, data);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
