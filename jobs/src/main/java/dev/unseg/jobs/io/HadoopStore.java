package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.dataset.DatasetPaths;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * Files under one root folder on any Hadoop FileSystem, by '/'-separated relative path. A file://
 * root is read with java.nio ({@link LocalAnnotationStore}, which also refuses symbolic links out
 * of the root): Hadoop's local file system forks an ls process for the status of a file when its
 * native library is missing.
 */
public final class HadoopStore implements AnnotationStore {
  private final URI root;
  private final FileSystem fs;
  private final LocalAnnotationStore local;

  public HadoopStore(URI root, Configuration conf) throws IOException {
    this.root = Locations.directory(root);
    this.fs = FileSystem.get(this.root, conf);
    this.local = Publisher.isLocal(this.root) ? new LocalAnnotationStore(java.nio.file.Path.of(this.root)) : null;
  }

  /** On a file system instance of the caller's own (verify reads outputs with checksums off). */
  public HadoopStore(URI root, FileSystem fs) {
    this.root = Locations.directory(root);
    this.fs = fs;
    this.local = null;
  }

  /** Index entries are untrusted: a path that would leave the root is refused, never followed. */
  public Path path(String relative) throws java.nio.file.AccessDeniedException {
    String unsafe = DatasetPaths.unsafeReason(relative);
    if (unsafe != null) {
      throw new java.nio.file.AccessDeniedException(relative, null, unsafe + " (under " + root + ")");
    }
    return Locations.child(root, relative);
  }

  public FileSystem fileSystem() {
    return fs;
  }

  @Override
  public InputStream open(String relativePath) throws IOException {
    if (local != null) {
      return local.open(relativePath);
    }
    Path p = path(relativePath);
    FileStatus status;
    try {
      status = fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException(p.toString());
    }
    if (status.isDirectory()) {
      throw new FileNotFoundException(p + " is a folder");
    }
    // The status just read spares S3A a second HEAD request.
    InputStream in = FutureIO.awaitFuture(fs.openFile(status.getPath()).withFileStatus(status).build());
    return new WholeFile(in, status.getLen(), p);
  }

  /**
   * A file's stream that fails, instead of ending, when it ends before the file's length: S3A (3.3.4,
   * with the AWS SDK's HTTP client) ends a GET's stream without an error when the connection is cut
   * inside the response's headers, before its Content-Length, so the caller would see a short file.
   */
  private static final class WholeFile extends FilterInputStream {
    private final long length;
    private final Path path;
    private long read;

    WholeFile(InputStream in, long length, Path path) {
      super(in);
      this.length = length;
      this.path = path;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        return ended();
      }
      count(1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      return n < 0 ? ended() : (int) count(n);
    }

    @Override
    public long skip(long n) throws IOException {
      return count(super.skip(n));
    }

    private long count(long n) {
      read += n;
      return n;
    }

    private int ended() throws IOException {
      if (read < length) {
        throw new EOFException(path + " ended after " + read + " of its " + length + " bytes (a cut connection, or the file changed)");
      }
      return -1;
    }
  }

  @Override
  public boolean exists(String relativePath) throws IOException {
    return local != null ? local.exists(relativePath) : fs.exists(path(relativePath));
  }

  /** Reads a whole file, refusing one above {@code maxBytes} before reading it. */
  public byte[] read(String relativePath, long maxBytes) throws IOException {
    if (local != null) {
      return local.read(relativePath, maxBytes);
    }
    Path p = path(relativePath);
    long length = fs.getFileStatus(p).getLen();
    if (length > maxBytes) {
      throw new dev.unseg.pipeline.protect.DatasetIO.FileTooLargeException(relativePath + " holds " + length
          + " bytes, above unseg.limits.max-file-bytes = " + maxBytes + "; raise that limit to protect it");
    }
    byte[] data = new byte[(int) length];
    try (var in = fs.open(p)) {
      in.readFully(0, data);
    }
    return data;
  }
}
