package dev.unseg.jobs.protect;

import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.dataset.ImageTask;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.Optional;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * On --resume, keeps the tasks to run: images without a finished record, images an earlier run
 * protected whose file has changed since (re-exported, replaced), so that the release is the dataset
 * as it is now, not a protected copy of an older file, and images whose copy has gone from the release. A file has changed when its size differs from
 * its record's, or, when it was written after its image was protected, when its SHA-256 differs (the
 * size misses an edit that keeps it, the time alone a copy that keeps the bytes): one stat per
 * finished image, and a read only where the time says the file is newer.
 */
final class InputChanges implements FlatMapFunction<Iterator<Tuple2<String, Tuple2<ImageTask, Optional<InputChanges.Seen>>>>, ImageTask> {
  /**
   * What a finished record says: its input's size and SHA-256, when its image was finished (epoch ms), and its
   * output (relative to the release's images folder; null for none).
   */
  record Seen(long bytes, String sha256, long finishedAt, String outputPath) implements Serializable {}

  private final Locations locations;
  private final SerializableHadoopConf hadoopConf;
  private final LongAccumulator changed;
  private final LongAccumulator missing;
  private final LongAccumulator unchanged;

  /**
   * @param changed counts the images whose file changed
   * @param missing counts the unchanged images whose copy is no longer in the release
   * @param unchanged counts the images left as the earlier run protected them (the progress line's)
   */
  InputChanges(Locations locations, SerializableHadoopConf hadoopConf, LongAccumulator changed, LongAccumulator missing,
      LongAccumulator unchanged) {
    this.locations = locations;
    this.hadoopConf = hadoopConf;
    this.changed = changed;
    this.missing = missing;
    this.unchanged = unchanged;
  }

  @Override
  public Iterator<ImageTask> call(Iterator<Tuple2<String, Tuple2<ImageTask, Optional<Seen>>>> tasks) throws IOException {
    FolderStore images = new FolderStore(locations.images(), hadoopConf.get());
    Storage output = Storage.of(locations.output(), hadoopConf.get());
    List<ImageTask> pending = new ArrayList<>();
    while (tasks.hasNext()) {
      Tuple2<ImageTask, Optional<Seen>> t = tasks.next()._2();
      if (!t._2().isPresent()) {
        pending.add(t._1());
      } else if (changed(images, t._1().imagePath(), t._2().get())) {
        // The copy of the old file goes first: should the new one fail, no stale copy stays in the release.
        if (t._2().get().outputPath() != null) {
          output.delete(locations.outputImagePath(t._2().get().outputPath()), false);
        }
        changed.add(1);
        pending.add(t._1());
      } else if (t._2().get().outputPath() != null && !output.exists(locations.outputImagePath(t._2().get().outputPath()))) {
        missing.add(1); // its copy was deleted from the release since (by hand, a lifecycle rule): written again
        pending.add(t._1());
      } else {
        unchanged.add(1);
      }
    }
    return pending.iterator();
  }

  /** A file gone or refused since is not redone: its earlier protection stands, as a run without --resume left it. */
  private static boolean changed(FolderStore images, String imagePath, Seen seen) throws IOException {
    Storage.Status now;
    try {
      now = images.storage().status(images.path(imagePath));
    } catch (java.nio.file.AccessDeniedException e) { // UnsafePathException included
      return false;
    }
    if (now == null || now.directory()) {
      return false;
    }
    if (now.length() != seen.bytes()) {
      return true;
    }
    if (now.modified() <= seen.finishedAt()) {
      return false;
    }
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = new DigestInputStream(images.open(imagePath), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return !Sha256.hex(digest).equals(seen.sha256());
  }
}
