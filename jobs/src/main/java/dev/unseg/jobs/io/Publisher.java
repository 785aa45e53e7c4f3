package dev.unseg.jobs.io;

import dev.unseg.pipeline.protect.LocalDatasetIO;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a file so readers see nothing or all of it. Object stores publish an object only when
 * its upload completes, so a direct write is already atomic there; on file systems with real
 * renames (file, hdfs) the bytes go to a hidden temporary name in the same folder first. Local
 * files are written with java.nio ({@link LocalDatasetIO#publish}): without Hadoop's native
 * library its local file system starts a chmod and an ls process for every file it writes
 * (about five per image, measured), and adds a .crc file beside each.
 */
public final class Publisher {
  private static final Set<String> ATOMIC_ON_CLOSE = Set.of("s3a", "s3", "s3n", "gs", "oss", "abfs", "abfss", "wasb", "wasbs");

  private Publisher() {}

  /** The prefix of temporary files; a killed writer can leave them behind. */
  public static final String TEMP_PREFIX = LocalDatasetIO.TEMP_PREFIX;

  /** A file:// location: read and written with java.nio instead of Hadoop's local file system. */
  public static boolean isLocal(URI uri) {
    return "file".equals(uri.getScheme());
  }

  /** Whether writes to this URI go through temporary files (file systems with real renames). */
  public static boolean usesTemporaryFiles(java.net.URI uri) {
    return !ATOMIC_ON_CLOSE.contains(uri.getScheme());
  }

  /**
   * The file system to write the output with. For file:// that is the raw local one: Hadoop's default
   * local file system writes a hidden {@code .NAME.crc} beside every file, which would then ship with
   * the released dataset.
   */
  public static FileSystem outputFileSystem(URI output, Configuration conf) throws IOException {
    FileSystem fs = FileSystem.get(output, conf);
    return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
  }

  /**
   * Deletes the hidden {@code .NAME.crc} files Hadoop's local file system wrote beside the files of
   * {@code dir} (Spark's Parquet writer goes through it), so a local output holds only its own files.
   * Reading without them is fine: the checksums are optional. Nothing to do elsewhere.
   */
  public static void removeChecksumFiles(Path dir) throws IOException {
    if (!isLocal(dir.toUri())) {
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toUri()))) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".crc")) {
          java.nio.file.Files.deleteIfExists(f);
        }
      }
    }
  }

  public static void publish(FileSystem fs, Path target, byte[] data) throws IOException {
    if (isLocal(target.toUri())) {
      LocalDatasetIO.publish(java.nio.file.Path.of(target.toUri()), data);
      return;
    }
    publishVia(fs, target, out -> out.write(data));
  }

  /**
   * {@link #publish(FileSystem, Path, byte[])} for a stream too large to hold in memory (a COCO
   * index of hundreds of MB): on a full disk, the target keeps its old content or stays absent,
   * never a truncated copy.
   */
  public static void publish(FileSystem fs, Path target, java.io.InputStream data) throws IOException {
    if (isLocal(target.toUri())) {
      java.nio.file.Path file = java.nio.file.Path.of(target.toUri());
      if (java.nio.file.Files.isDirectory(file)) {
        throw new IOException(target + " is a folder; the file cannot be written there");
      }
      java.nio.file.Files.createDirectories(file.getParent());
      java.nio.file.Path tmp = file.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + "_" + file.getFileName());
      try {
        java.nio.file.Files.copy(data, tmp);
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        java.nio.file.Files.deleteIfExists(tmp);
      }
      return;
    }
    publishVia(fs, target, data::transferTo);
  }

  private interface Content {
    void writeTo(FSDataOutputStream out) throws IOException;
  }

  private static void publishVia(FileSystem fs, Path target, Content content) throws IOException {
    if (ATOMIC_ON_CLOSE.contains(target.toUri().getScheme())) {
      try (FSDataOutputStream out = fs.create(target, true)) {
        content.writeTo(out);
      }
      return;
    }
    if (fs.isDirectory(target)) {
      // A rename onto a folder would move the file into it.
      throw new IOException(target + " is a folder; the file cannot be written there");
    }
    Path tmp = new Path(target.getParent(), TEMP_PREFIX + UUID.randomUUID() + "_" + target.getName());
    try {
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        content.writeTo(out);
      }
      // A retried or speculative attempt replaces an earlier attempt's file (same bytes: outputs
      // are deterministic) in one atomic step, so a reader never finds the file missing. The local
      // file system's rename replaces; HDFS refuses, but its FileContext rename can overwrite.
      if (!fs.rename(tmp, target)) {
        FileContext.getFileContext(target.toUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
      }
    } finally {
      fs.delete(tmp, false);
    }
  }
}
