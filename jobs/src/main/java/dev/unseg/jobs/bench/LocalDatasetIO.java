package dev.unseg.jobs.bench;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import dev.unseg.pipeline.protect.DatasetIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Local files for the in-task scenarios: no Hadoop layer, so they time the core pipeline alone. */
final class LocalDatasetIO implements DatasetIO {
  private final Path images;
  private final LocalAnnotationStore masks;
  private final Path output;

  LocalDatasetIO(Path images, Path masks, Path output) {
    this.images = images;
    this.masks = new LocalAnnotationStore(masks);
    this.output = output;
  }

  @Override
  public byte[] readImage(String imagePath, long maxBytes) throws IOException {
    return Files.readAllBytes(images.resolve(imagePath));
  }

  @Override
  public AnnotationStore annotations() {
    return masks;
  }

  @Override
  public void publishImage(String outputPath, byte[] data) throws IOException {
    write(output.resolve(outputPath), data);
  }

  @Override
  public void publishAudit(String auditPath, byte[] data) throws IOException {
    write(output.resolve("_unseg").resolve(auditPath), data);
  }

  /** Write-then-rename, as the job's publisher does. */
  static void write(Path target, byte[] data) throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.write(tmp, data);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
