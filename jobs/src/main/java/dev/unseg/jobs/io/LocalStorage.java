package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.FileTooLargeException;
import dev.unseg.pipeline.protect.LocalDatasetIO;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;

/** {@link Storage} of file:// locations, with java.nio. */
final class LocalStorage implements Storage {
  static final LocalStorage INSTANCE = new LocalStorage();

  private LocalStorage() {}

  private static java.nio.file.Path local(Path p) {
    return java.nio.file.Path.of(p.toUri());
  }

  /** Without the '/' that {@code toUri()} ends a folder's URI with: Hadoop's Path would name that folder "". */
  private static Path hadoop(java.nio.file.Path p) {
    String uri = p.toUri().toString();
    return new Path(java.net.URI.create(uri.endsWith("/") && p.getParent() != null ? uri.substring(0, uri.length() - 1) : uri));
  }

  @Override
  public Status status(Path path) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(local(path), BasicFileAttributes.class);
      return new Status(a.size(), a.isDirectory(), a.lastModifiedTime().toMillis());
    } catch (NoSuchFileException e) {
      return null;
    } catch (java.nio.file.FileSystemException e) {
      // Under a file ("Not a directory"): nothing is there either.
      for (java.nio.file.Path above = local(path).getParent(); above != null; above = above.getParent()) {
        if (Files.isRegularFile(above)) {
          return null;
        }
      }
      throw e;
    }
  }

  @Override
  public InputStream open(Path file) throws IOException {
    java.nio.file.Path p = local(file);
    if (Files.isDirectory(p)) {
      throw new FileNotFoundException(file + " is a folder");
    }
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(file.toString());
    }
  }

  @Override
  public byte[] read(Path file, long maxBytes) throws IOException {
    Status s = status(file);
    if (s == null || s.directory()) {
      throw new FileNotFoundException(file + (s == null ? "" : " is a folder"));
    }
    if (s.length() > maxBytes) {
      throw FileTooLargeException.of(file, s.length(), maxBytes);
    }
    return Files.readAllBytes(local(file));
  }

  @Override
  public void walk(URI root, Visitor visitor) throws IOException {
    visit(root, rel -> {
      visitor.file(rel);
      return false;
    });
  }

  @Override
  public boolean any(URI root, Predicate<String> match) throws IOException {
    return visit(root, match::test);
  }

  /** A file under a walked root, by its relative path; true stops the walk. */
  private interface Found {
    boolean file(String relativePath) throws IOException;
  }

  /**
   * Every file under {@code root}, following symbolic links as `find -L` does: a dataset folder given as a
   * link, or holding linked files and folders (a split made of links), is listed through them, never skipped.
   * A link that leads nowhere is listed too, so that reading it fails as that image's; a link back to a
   * folder above it is walked once. Whether a file reached through a link may be read is the reader's call
   * ({@code LocalAnnotationStore}).
   */
  private static boolean visit(URI root, Found found) throws IOException {
    java.nio.file.Path given = java.nio.file.Path.of(root);
    java.nio.file.Path base = Files.exists(given) ? given.toRealPath() : given;
    boolean[] stopped = {false};
    Files.walkFileTree(base, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(java.nio.file.Path f, BasicFileAttributes a) throws IOException {
            if ((a.isRegularFile() || a.isSymbolicLink()) && found.file(relative(base, f))) {
              stopped[0] = true;
              return FileVisitResult.TERMINATE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(java.nio.file.Path f, IOException e) throws IOException {
            // A loop is walked once. An entry gone between its folder's listing and its own read is not
            // there to list: the run's own temporary files come and go so (the lease's heartbeat renames
            // one while a resumed run walks its output), and a vanished file is no file. A dangling link
            // does not come here: its own attributes are read instead, so it is listed.
            if (e instanceof FileSystemLoopException || (e instanceof NoSuchFileException && !f.equals(base))) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return stopped[0];
  }

  private static String relative(java.nio.file.Path base, java.nio.file.Path f) {
    return base.relativize(f).toString().replace(java.io.File.separatorChar, '/');
  }

  @Override
  public List<Path> children(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(local(dir))) {
      return out;
    }
    try (Stream<java.nio.file.Path> entries = Files.list(local(dir))) {
      entries.sorted().forEach(p -> out.add(hadoop(p)));
    }
    return out;
  }

  @Override
  public void publish(Path target, byte[] data) throws IOException {
    LocalDatasetIO.publish(local(target), data);
  }

  @Override
  public void publish(Path target, InputStream data) throws IOException {
    java.nio.file.Path file = local(target);
    if (Files.isDirectory(file)) {
      throw new IOException(target + " is a folder; the file cannot be written there");
    }
    Files.createDirectories(file.getParent());
    java.nio.file.Path tmp = file.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + "_" + file.getFileName());
    try {
      Files.copy(data, tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public boolean createNew(Path file, byte[] data) throws IOException {
    // Written whole beside it, then hard-linked into place: link(2) fails if the name exists, so the
    // create is exclusive and a reader never sees the file half written (an empty lease.json).
    java.nio.file.Path p = local(file);
    Files.createDirectories(p.getParent());
    java.nio.file.Path tmp = p.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + "_" + p.getFileName());
    try {
      Files.write(tmp, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.createLink(p, tmp);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | FileSystemException e) {
        // Only the link failed: this file system has no hard links (FAT, some FUSE mounts), so the plain
        // exclusive create. A reader may see that file empty for an instant, which OutputLease reads
        // again before deciding. A failed write of the temporary file (a full disk) is not caught here.
        // Untested: every file system of the test machines has hard links.
        return createExclusive(p, data);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean createExclusive(java.nio.file.Path p, byte[] data) throws IOException {
    try {
      Files.write(p, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      Files.deleteIfExists(p); // a file cut short (a full disk) must not stand for a whole one
      throw e;
    }
  }

  @Override
  public OutputStream create(Path file) throws IOException {
    java.nio.file.Path p = local(file);
    Files.createDirectories(p.getParent());
    return Files.newOutputStream(p);
  }

  @Override
  public boolean delete(Path path, boolean recursive) throws IOException {
    java.nio.file.Path p = local(path);
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (recursive && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<java.nio.file.Path> all = Files.walk(p)) {
        for (java.nio.file.Path f : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
      return true;
    }
    return Files.deleteIfExists(p);
  }

  @Override
  public boolean usesTemporaryFiles() {
    return true;
  }

  /** Deletes the hidden {@code .NAME.crc} files Hadoop's local file system wrote beside Spark's files. */
  @Override
  public void afterSparkWrite(Path dir) throws IOException {
    for (Path f : children(dir)) {
      String name = f.getName();
      if (name.startsWith(".") && name.endsWith(".crc")) {
        Files.deleteIfExists(local(f));
      }
    }
  }
}
