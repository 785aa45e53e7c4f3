package dev.unseg.jobs.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Every file under a root folder, as a '/'-separated path relative to it. file:// roots are walked
 * with java.nio: Hadoop's local listing starts an {@code ls} process per file (for its permissions)
 * when Hadoop's native library is missing, as it is on most machines.
 */
public final class FileListing {
  private FileListing() {}

  public interface Visitor {
    void file(String relativePath) throws IOException;
  }

  /** Whether any file under {@code root} matches; stops at the first that does. */
  public static boolean any(FileSystem fs, URI root, java.util.function.Predicate<String> match) throws IOException {
    if (Publisher.isLocal(root)) {
      java.nio.file.Path base = java.nio.file.Path.of(root);
      try (Stream<java.nio.file.Path> files = Files.walk(base)) {
        return files.filter(Files::isRegularFile)
            .anyMatch(f -> match.test(base.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    String rootPath = rootPath(root);
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(new Path(root), true);
    while (files.hasNext()) {
      if (match.test(files.next().getPath().toUri().getPath().substring(rootPath.length()))) {
        return true;
      }
    }
    return false;
  }

  private static String rootPath(URI root) {
    String rootPath = new Path(root).toUri().getPath();
    return rootPath.endsWith("/") ? rootPath : rootPath + "/";
  }

  public static void walk(FileSystem fs, URI root, Visitor visitor) throws IOException {
    if (Publisher.isLocal(root)) {
      java.nio.file.Path base = java.nio.file.Path.of(root);
      try (Stream<java.nio.file.Path> files = Files.walk(base)) {
        for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(Files::isRegularFile)::iterator) {
          visitor.file(base.relativize(f).toString().replace(java.io.File.separatorChar, '/'));
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return;
    }
    String rootPath = rootPath(root);
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(new Path(root), true);
    while (files.hasNext()) {
      visitor.file(files.next().getPath().toUri().getPath().substring(rootPath.length()));
    }
  }
}
