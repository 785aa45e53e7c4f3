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
    Publisher.publish(outputFs, locations.outputImagePath(outputPath), data);
  }

  @Override
  public void publishAudit(String auditPath, byte[] data) throws IOException {
    Publisher.publish(outputFs, locations.auditPath(auditPath), data);
  }
}
