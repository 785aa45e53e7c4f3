package dev.unseg.jobs.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one way jobs/ reaches files, on any URI: status, open, bounded read, list, publish, create,
 * delete. Chosen once per location by its scheme: file:// through java.nio ({@link LocalStorage}),
 * everything else (s3a://, gs://, hdfs://, abfs://) through Hadoop's FileSystem ({@link HadoopStorage}).
 * Hadoop's local file system is never used for files: without Hadoop's native library it starts an ls
 * and a chmod process per file, and it writes a {@code .NAME.crc} beside every file, which would ship
 * with a released dataset.
 */
public interface Storage extends Closeable {
  /** The prefix of temporary files; a killed writer can leave them behind. */
  String TEMP_PREFIX = dev.unseg.pipeline.protect.LocalDatasetIO.TEMP_PREFIX;

  static Storage of(URI location, Configuration conf) throws IOException {
    return isLocal(location) ? LocalStorage.INSTANCE : new HadoopStorage(connector(location, conf, false), false);
  }

  /** Hadoop's file system for the URI's scheme; a scheme without a connector on the classpath is the user's to fix. */
  private static FileSystem connector(URI location, Configuration conf, boolean own) throws IOException {
    try {
      return own ? FileSystem.newInstance(location, conf) : FileSystem.get(location, conf);
    } catch (org.apache.hadoop.fs.UnsupportedFileSystemException | RuntimeException e) {
      // Hadoop names some connectors it does not ship (wasb://, abfs://): their class is then missing.
      if (e instanceof RuntimeException && !(e.getCause() instanceof ClassNotFoundException)) {
        throw e;
      }
      String scheme = location.getScheme();
      throw new dev.unseg.pipeline.error.UserError(location + ": no Hadoop connector for " + scheme + ":// is on the classpath. "
          + switch (scheme) {
            case "s3", "s3n" -> "Write s3a://" + location.getRawAuthority() + location.getRawPath() + " (Hadoop S3A, built in);"
                + " s3:// is EMR's own connector (EMRFS), present only on EMR clusters.";
            case "gs" -> "The GCS connector is built into Dataproc; elsewhere add its shaded jar (gcs-connector-hadoop3,"
                + " docs/cluster.md): spark-submit --jars, or the Spark classpath.";
            default -> "Built in: file://, s3a:// and hdfs://; gs:// with the GCS connector (docs/cluster.md); another"
                + " store's connector jar goes on the Spark classpath.";
          });
    }
  }

  /**
   * Storage of its own for reading outputs whose bytes are checked by hash (verify): Hadoop's
   * checksums off, on an instance that {@link #close} closes.
   */
  static Storage unverified(URI location, Configuration conf) throws IOException {
    if (isLocal(location)) {
      return LocalStorage.INSTANCE;
    }
    FileSystem fs = connector(location, conf, true);
    fs.setVerifyChecksum(false);
    return new HadoopStorage(fs, true);
  }

  /** A file:// location. */
  static boolean isLocal(URI uri) {
    return "file".equals(uri.getScheme());
  }

  /** What a path is: its length, whether it is a folder, and when it was last written (epoch ms). */
  record Status(long length, boolean directory, long modified) {}

  /** The status of a path, or null when nothing is there. */
  Status status(Path path) throws IOException;

  /**
   * The nearest of {@code path} and the folders above it that exists, when that is a file: it keeps {@code path}
   * from being created as a folder or under one. Null when it is a folder, or when nothing exists.
   */
  default Path blockingFile(Path path) throws IOException {
    for (Path p = path; p != null; p = p.getParent()) {
      Status s = status(p);
      if (s != null) {
        return s.directory() ? null : p;
      }
    }
    return null;
  }

  default boolean exists(Path path) throws IOException {
    return status(path) != null;
  }

  /**
   * A file's bytes; {@link java.io.FileNotFoundException} when it is absent or a folder. The stream fails,
   * instead of ending early, when the file ends before its length (a cut connection).
   */
  InputStream open(Path file) throws IOException;

  /** A whole file, refused with {@link dev.unseg.pipeline.dataset.FileTooLargeException} above {@code maxBytes}. */
  byte[] read(Path file, long maxBytes) throws IOException;

  /** A file visited by {@link #walk}, by its '/'-separated path relative to the root. */
  interface Visitor {
    void file(String relativePath) throws IOException;
  }

  /** Every file under {@code root}, streamed. */
  void walk(URI root, Visitor visitor) throws IOException;

  /** Whether any file under {@code root} matches; stops at the first that does. */
  boolean any(URI root, Predicate<String> match) throws IOException;

  /** The entries of a folder (none when it is absent). */
  List<Path> children(Path dir) throws IOException;

  /** Writes a file so readers see nothing or all of it (a full disk leaves no truncated copy). */
  void publish(Path target, byte[] data) throws IOException;

  /** {@link #publish(Path, byte[])} for a stream too large to hold in memory (a COCO index of hundreds of MB). */
  void publish(Path target, InputStream data) throws IOException;

  /**
   * Creates {@code file} only if nothing is there; false if something is. Object stores have no
   * conditional create: there two writers within a moment can both succeed (see OutputLease).
   */
  boolean createNew(Path file, byte[] data) throws IOException;

  /** A stream that creates or replaces a file (for spills that are not published). */
  OutputStream create(Path file) throws IOException;

  /** Deletes a file, or a folder with {@code recursive}; false when nothing was there. */
  boolean delete(Path path, boolean recursive) throws IOException;

  /** Whether writes go through temporary files (file systems with real renames), which a killed writer leaves. */
  boolean usesTemporaryFiles();

  /** Tidies a folder Spark wrote (its Parquet writer goes through Hadoop's file systems). */
  default void afterSparkWrite(Path dir) throws IOException {}

  @Override
  default void close() throws IOException {}
}
