package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.AnnotationStore;
import dev.unseg.pipeline.dataset.DatasetPaths;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Files under one root folder, on any {@link Storage}, by '/'-separated relative path. Paths come
 * from untrusted indexes: one that would leave the root is refused, never followed; under a file://
 * root, symbolic links are followed ({@link LocalAnnotationStore}).
 */
public final class FolderStore implements AnnotationStore {
  private final URI root;
  private final Storage storage;
  private final LocalAnnotationStore local;

  public FolderStore(URI root, Configuration conf) throws IOException {
    this(root, Storage.of(root, conf));
  }

  public FolderStore(URI root, Storage storage) {
    this.root = Locations.directory(root);
    this.storage = storage;
    this.local = Storage.isLocal(this.root) ? new LocalAnnotationStore(java.nio.file.Path.of(this.root)) : null;
  }

  public Path path(String relative) throws dev.unseg.pipeline.dataset.UnsafePathException {
    String unsafe = DatasetPaths.unsafeReason(relative);
    if (unsafe != null) {
      throw new dev.unseg.pipeline.dataset.UnsafePathException(relative, unsafe + " (under " + root + ")");
    }
    return Locations.child(root, relative);
  }

  public Storage storage() {
    return storage;
  }

  @Override
  public InputStream open(String relativePath) throws IOException {
    return local != null ? local.open(relativePath) : storage.open(path(relativePath));
  }

  @Override
  public boolean exists(String relativePath) throws IOException {
    return local != null ? local.exists(relativePath) : storage.exists(path(relativePath));
  }

  /** Reads a whole file, refusing one above {@code maxBytes} before reading it. */
  public byte[] read(String relativePath, long maxBytes) throws IOException {
    return local != null ? local.read(relativePath, maxBytes) : storage.read(path(relativePath), maxBytes);
  }
}
