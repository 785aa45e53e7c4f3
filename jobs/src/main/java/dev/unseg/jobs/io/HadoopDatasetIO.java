package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.protect.DatasetIO;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.conf.Configuration;

/**
 * {@link DatasetIO} on {@link Storage}: the same code for file://, s3a://, gs:// and hdfs://.
 *
 * <p>The pipeline makes every I/O error a failed manifest row of its image. That is right for a
 * missing or refused file, but not when a remote store gives up (S3A after its bounded retries on
 * throttling, dropped or cut connections): the image is fine, and a failed row would let the run
 * finish with success and the image missing, and --resume never redo it (it has a record). Such
 * store failures are therefore noted here, and {@link #checkStore()} fails the task with them, so
 * that Spark retries it and, if it keeps failing, the run stops and --resume redoes it.
 */
public final class HadoopDatasetIO implements DatasetIO {
  private final Locations locations;
  private final FolderStore images;
  private final AnnotationStore annotations;
  private final Storage output;
  private final Queue<String> storeFailures = new ConcurrentLinkedQueue<>();
  /** The first write that found the output full (the pipeline writes from several threads). */
  private volatile OutputFullException full;

  public HadoopDatasetIO(Locations locations, URI annotationRoot, Configuration conf) throws IOException {
    this.locations = locations;
    this.images = new FolderStore(locations.images(), conf);
    this.annotations = noting(new FolderStore(annotationRoot, conf), !Storage.isLocal(annotationRoot));
    this.output = Storage.of(locations.output(), conf);
  }

  @Override
  public byte[] readImage(String imagePath, long maxBytes) throws IOException {
    try {
      return images.read(imagePath, maxBytes);
    } catch (IOException e) {
      throw noted(!Storage.isLocal(locations.images()), imagePath, e);
    }
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
    publish(locations.layout().path(OutputLayout.AUDIT + auditPath), data);
  }

  private void publish(org.apache.hadoop.fs.Path target, byte[] data) throws IOException {
    try {
      output.publish(target, data);
    } catch (IOException e) {
      if (full == null && OutputFullException.isOutOfSpace(e)) {
        full = OutputFullException.writing(target, e);
      }
      // The image's row says output_write_failed; the task then stops (see stopIfOutputFull, checkStore).
      throw noted(!Storage.isLocal(locations.output()), target.toString(), e);
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

  /** Throws when a remote store failed on a file this task read or wrote (see the class comment). */
  public void checkStore() throws IOException {
    if (!storeFailures.isEmpty()) {
      throw new IOException("the storage failed on " + storeFailures.size() + " file(s) of this task, first "
          + storeFailures.peek() + "; the task is failed so that it is retried (or redone by --resume), not recorded"
          + " as failed images");
    }
  }

  /** A remote store's error, unless it says that the file is missing, refused or too large: not the file's fault. */
  private IOException noted(boolean remote, String path, IOException e) {
    if (remote && !(e instanceof FileNotFoundException || e instanceof java.nio.file.NoSuchFileException
        || e instanceof java.nio.file.AccessDeniedException || e instanceof dev.unseg.pipeline.dataset.FileTooLargeException)) {
      storeFailures.add(path + ": " + e);
    }
    return e;
  }

  /** The annotation store, noting the store's errors on opening and on reading (ImageIO swallows the latter). */
  private AnnotationStore noting(FolderStore store, boolean remote) {
    return new AnnotationStore() {
      @Override
      public InputStream open(String relativePath) throws IOException {
        InputStream in;
        try {
          in = store.open(relativePath);
        } catch (IOException e) {
          throw noted(remote, relativePath, e);
        }
        return new FilterInputStream(in) {
          @Override
          public int read() throws IOException {
            try {
              return super.read();
            } catch (IOException e) {
              throw noted(remote, relativePath, e);
            }
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            try {
              return super.read(b, off, len);
            } catch (IOException e) {
              throw noted(remote, relativePath, e);
            }
          }
        };
      }

      @Override
      public boolean exists(String relativePath) throws IOException {
        try {
          return store.exists(relativePath);
        } catch (IOException e) {
          throw noted(remote, relativePath, e);
        }
      }
    };
  }
}
