package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.FileTooLargeException;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.util.functional.FutureIO;

/** {@link Storage} through Hadoop's FileSystem: s3a://, gs://, hdfs://, abfs:// and the rest. */
final class HadoopStorage implements Storage {
  /** Object stores publish an object only when its upload completes: a direct write is already atomic. */
  private static final Set<String> ATOMIC_ON_CLOSE = Set.of("s3a", "s3", "s3n", "gs", "oss", "abfs", "abfss", "wasb", "wasbs");

  private final FileSystem fs;
  private final boolean owned;

  /** @param owned whether {@link #close} closes {@code fs} (an instance of its own, not Hadoop's cached one) */
  HadoopStorage(FileSystem fs, boolean owned) {
    this.fs = fs;
    this.owned = owned;
  }

  @Override
  public Status status(Path path) throws IOException {
    try {
      FileStatus s = fs.getFileStatus(path);
      return new Status(s.getLen(), s.isDirectory(), s.getModificationTime());
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  @Override
  public InputStream open(Path file) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(file);
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException(file.toString());
    }
    if (status.isDirectory()) {
      throw new FileNotFoundException(file + " is a folder");
    }
    // The status just read spares S3A a second HEAD request.
    InputStream in = FutureIO.awaitFuture(fs.openFile(status.getPath()).withFileStatus(status).build());
    return new WholeFile(in, status.getLen(), file);
  }

  @Override
  public byte[] read(Path file, long maxBytes) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    if (length > maxBytes) {
      throw FileTooLargeException.of(file, length, maxBytes);
    }
    byte[] data = new byte[(int) length];
    try (var in = fs.open(file)) {
      in.readFully(0, data);
    }
    return data;
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
  public void walk(URI root, Visitor visitor) throws IOException {
    String rootPath = rootPath(root);
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(new Path(root), true);
    while (files.hasNext()) {
      visitor.file(files.next().getPath().toUri().getPath().substring(rootPath.length()));
    }
  }

  @Override
  public boolean any(URI root, Predicate<String> match) throws IOException {
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

  @Override
  public List<Path> children(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try {
      for (FileStatus s : fs.listStatus(dir)) {
        out.add(s.getPath());
      }
    } catch (FileNotFoundException e) {
      // an absent folder has no entries
    }
    return out;
  }

  @Override
  public void publish(Path target, byte[] data) throws IOException {
    publishVia(target, out -> out.write(data));
  }

  @Override
  public void publish(Path target, InputStream data) throws IOException {
    publishVia(target, data::transferTo);
  }

  private interface Content {
    void writeTo(FSDataOutputStream out) throws IOException;
  }

  private void publishVia(Path target, Content content) throws IOException {
    if (!usesTemporaryFiles(target.toUri())) {
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
      // are deterministic) in one atomic step, so a reader never finds the file missing. HDFS's
      // rename refuses to replace, but its FileContext rename can overwrite.
      if (!fs.rename(tmp, target)) {
        FileContext.getFileContext(target.toUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
      }
    } finally {
      fs.delete(tmp, false);
    }
  }

  @Override
  public boolean createNew(Path file, byte[] data) throws IOException {
    try (OutputStream out = fs.create(file, false)) {
      out.write(data);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  @Override
  public OutputStream create(Path file) throws IOException {
    return fs.create(file, true);
  }

  @Override
  public boolean delete(Path path, boolean recursive) throws IOException {
    return fs.delete(path, recursive);
  }

  @Override
  public boolean usesTemporaryFiles() {
    return usesTemporaryFiles(fs.getUri());
  }

  private static boolean usesTemporaryFiles(URI uri) {
    return !ATOMIC_ON_CLOSE.contains(uri.getScheme());
  }

  @Override
  public void close() throws IOException {
    if (owned) {
      fs.close();
    }
  }
}
