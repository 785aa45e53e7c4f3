package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.protect.DatasetIO;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** {@link DatasetIO} over Hadoop FileSystem: the same code for file://, s3a://, gs:// and hdfs://. */
public final class HadoopDatasetIO implements DatasetIO {
  private final Locations locations;
  private final HadoopStore images;
  private final HadoopStore annotations;
  private final FileSystem outputFs;
  /** The first write that found the output full (the pipeline writes from several threads). */
  private volatile OutputFullException full;

  public HadoopDatasetIO(Locations locations, URI annotationRoot, Configuration conf) throws IOException {
    this.locations = locations;
    this.images = new HadoopStore(locations.images(), conf);
    this.annotations = new HadoopStore(annotationRoot, conf);
    this.outputFs = Publisher.outputFileSystem(locations.output(), conf);
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
    publish(locations.outputImagePath(outputPath), data);
  }

  @Override
  public void publishAudit(String auditPath, byte[] data) throws IOException {
    publish(locations.auditPath(auditPath), data);
  }

  private void publish(org.apache.hadoop.fs.Path target, byte[] data) throws IOException {
    try {
      Publisher.publish(outputFs, target, data);
    } catch (IOException e) {
      if (full == null && OutputFullException.isOutOfSpace(e)) {
        full = OutputFullException.writing(target, e);
      }
      throw e; // the image's row says output_write_failed; the task then stops (see stopIfOutputFull)
    }
  }

  /**
   * Throws when a write found the output full: the task must then stop without publishing its
   * record, so that its images, failed for want of space and not through their own fault, are
   * protected again by --resume once there is space.
   */
  public void stopIfOutputFull() {
    if (full != null) {
      throw full;
    }
  }
}
