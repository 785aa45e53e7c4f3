package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.dataset.DatasetPaths;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

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
    try {
      return fs.open(p);
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException(p.toString());
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
