package dev.unseg.pipeline.dataset;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An {@link AnnotationStore} over a local directory. Refuses any path that would leave the root as written
 * ({@code ..}, absolute paths: what an index file could name). Symbolic links under the root are followed
 * wherever they point, as {@code find -L} and PyTorch's folder datasets do: the dataset's owner made them
 * (a split built of links to a pool of images).
 */
public final class LocalAnnotationStore implements AnnotationStore {
  private final Path root;

  public LocalAnnotationStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public InputStream open(String relativePath) throws IOException {
    Path p = resolve(relativePath);
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(p + " does not exist");
    }
  }

  /** A whole file, refused with {@code FileTooLargeException} when it holds more than {@code maxBytes}. */
  public byte[] read(String relativePath, long maxBytes) throws IOException {
    try (InputStream in = open(relativePath)) {
      // One byte past the limit tells a file that is too large; the cap keeps maxBytes + 1 an int.
      byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8L, maxBytes) + 1);
      if (data.length > maxBytes) {
        throw new dev.unseg.pipeline.dataset.FileTooLargeException(relativePath + " holds more than "
            + maxBytes + " bytes, above unseg.limits.max-file-bytes; raise that limit to protect it");
      }
      return data;
    }
  }

  @Override
  public boolean exists(String relativePath) throws IOException {
    return Files.isRegularFile(resolve(relativePath));
  }

  private Path resolve(String relativePath) throws IOException {
    String why = DatasetPaths.unsafeReason(relativePath);
    if (why != null) {
      throw new UnsafePathException(relativePath, why);
    }
    Path p = root.resolve(relativePath).normalize();
    if (!p.startsWith(root)) {
      throw new UnsafePathException(relativePath, "leaves the root " + root);
    }
    return p;
  }
}
