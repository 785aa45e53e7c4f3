package dev.unseg.jobs.plan;

import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Streams objects from the driver into numbered chunk files of at most {@code chunkSize} each,
 * so that an index of any size is planned with bounded driver memory; executors read the chunks
 * back. One spill per kind of object (images, annotations, tasks).
 */
public final class ChunkSpill<T extends Serializable> implements AutoCloseable {
  private final Storage fs;
  private final Path dir;
  private final String prefix;
  private final int chunkSize;
  private final List<String> chunks = new ArrayList<>();
  private ObjectOutputStream current;
  private int inCurrent;
  private long total;

  public ChunkSpill(Storage fs, Path dir, String prefix, int chunkSize) {
    this.fs = fs;
    this.dir = dir;
    this.prefix = prefix;
    this.chunkSize = chunkSize;
  }

  public void add(T item) throws IOException {
    if (current == null || inCurrent == chunkSize) {
      closeCurrent();
      Path p = new Path(dir, String.format("%s-%06d.bin.gz", prefix, chunks.size()));
      current = new ObjectOutputStream(new GZIPOutputStream(new BufferedOutputStream(fs.create(p), 1 << 16)));
      chunks.add(p.toString());
      inCurrent = 0;
    }
    current.writeObject(item);
    // Without reset the stream keeps every written object reachable (back-references).
    current.reset();
    inCurrent++;
    total++;
  }

  /** Chunk file paths, in order. */
  public List<String> chunks() {
    return chunks;
  }

  public long total() {
    return total;
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }

  /** The objects of {@code chunks}, each chunk read by a task of its own. */
  public static <T> JavaRDD<T> rdd(JavaSparkContext sc, List<String> chunks, SerializableHadoopConf conf) {
    if (chunks.isEmpty()) {
      return sc.emptyRDD();
    }
    return sc.parallelize(chunks, chunks.size()).flatMap(chunk -> {
      Path p = new Path(chunk);
      return ChunkSpill.<T>read(Storage.of(p.toUri(), conf.get()), p).iterator();
    });
  }

  /** Reads one chunk back (on an executor). */
  @SuppressWarnings("unchecked")
  public static <T> List<T> read(Storage fs, Path chunk) throws IOException {
    List<T> out = new ArrayList<>();
    try (ObjectInputStream in = new ObjectInputStream(new GZIPInputStream(new BufferedInputStream(fs.open(chunk), 1 << 16)))) {
      while (true) {
        try {
          out.add((T) in.readObject());
        } catch (EOFException end) {
          return out;
        } catch (ClassNotFoundException e) {
          throw new IOException("plan chunk " + chunk + " holds a class this JVM does not have: " + e.getMessage(), e);
        }
      }
    }
  }
}
