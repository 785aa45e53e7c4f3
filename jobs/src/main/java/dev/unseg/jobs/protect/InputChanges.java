package dev.unseg.jobs.protect;

import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.Optional;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * On --resume, keeps the tasks to run, so that the release is the dataset as it is now: images without a
 * finished record; images an earlier run protected whose file has changed since (re-exported, replaced);
 * those whose annotation has changed since in a way that changes their noise; and those whose copy has gone
 * from the release.
 *
 * <p>A file has changed when its size differs from its record's, or, when it was written after its image
 * was protected, when its SHA-256 differs (the size misses an edit that keeps it, the time alone a copy
 * that keeps the bytes): one stat per finished image, and a read only where the time says the file is newer.
 *
 * <p>An annotation has changed when one of its files (a mask, label map or panoptic PNG and its companions;
 * for COCO formats the index) was written after the image was protected and the mask it makes now goes
 * through the 256x256 prompt to another digest than the record's (the noise depends on the mask through
 * that prompt only): one more stat per file, and a mask built again only where the time says it is newer.
 * An edit that leaves the prompt as it was (a pixel at an edge, a companion's polygons) protects nothing
 * again; the image's annotation files are copied into the release again, so that it holds them as they are.
 */
final class InputChanges implements FlatMapFunction<Iterator<Tuple2<String, Tuple2<ImageTask, Optional<InputChanges.Seen>>>>, ImageTask> {
  /**
   * What a finished record says: its input's size and SHA-256, when its image was finished (epoch ms), its
   * output (relative to the release's images folder; null for none), its decoded size and its prompt's digest.
   */
  record Seen(long bytes, String sha256, long finishedAt, String outputPath, int width, int height, String promptSha256)
      implements Serializable {}

  /**
   * What --resume found, for the console and summary.json: images redone because their file ({@code inputs}) or
   * their annotation ({@code masks}) changed, images whose annotation files were copied again ({@code copied}),
   * images whose copy had gone from the release ({@code missing}), and those left as they were ({@code unchanged},
   * the progress line's done before).
   */
  record Counts(LongAccumulator inputs, LongAccumulator masks, LongAccumulator copied, LongAccumulator missing,
      LongAccumulator unchanged) implements Serializable {}

  private final Locations locations;
  private final URI annotationRoot;
  private final DatasetFormat format;
  private final boolean copyAnnotations;
  private final long indexModified;
  private final SerializableHadoopConf hadoopConf;
  private final Counts counts;

  /**
   * @param annotationRoot where mask files, label maps or panoptic PNGs are read from
   * @param copyAnnotations whether the release holds the annotation files (unseg.output.copy-annotations)
   * @param indexModified when the COCO or panoptic index was written (epoch ms); Long.MIN_VALUE without one, or
   *     when the release's copy of it is newer (a run since looked at every mask it makes)
   */
  InputChanges(Locations locations, URI annotationRoot, DatasetFormat format, boolean copyAnnotations, long indexModified,
      SerializableHadoopConf hadoopConf, Counts counts) {
    this.locations = locations;
    this.annotationRoot = annotationRoot;
    this.format = format;
    this.copyAnnotations = copyAnnotations;
    this.indexModified = indexModified;
    this.hadoopConf = hadoopConf;
    this.counts = counts;
  }

  @Override
  public Iterator<ImageTask> call(Iterator<Tuple2<String, Tuple2<ImageTask, Optional<Seen>>>> tasks) throws IOException {
    FolderStore images = new FolderStore(locations.images(), hadoopConf.get());
    FolderStore annotations = new FolderStore(annotationRoot, hadoopConf.get());
    Storage output = Storage.of(locations.output(), hadoopConf.get());
    List<ImageTask> pending = new ArrayList<>();
    Set<String> copyAgain = new LinkedHashSet<>();
    while (tasks.hasNext()) {
      Tuple2<ImageTask, Optional<Seen>> t = tasks.next()._2();
      ImageTask task = t._1();
      if (!t._2().isPresent()) {
        pending.add(task);
        continue;
      }
      Seen seen = t._2().get();
      List<String> files = AnnotationCopies.of(format, task);
      Annotation annotation;
      if (changed(images, task.imagePath(), seen)) {
        pending.add(redo(task, seen, output, counts.inputs()));
      } else if ((annotation = annotation(annotations, output, task, files, seen)) == Annotation.CHANGED) {
        pending.add(redo(task, seen, output, counts.masks()));
      } else if (seen.outputPath() != null && !output.exists(locations.outputImagePath(seen.outputPath()))) {
        counts.missing().add(1); // its copy was deleted from the release since (by hand, a lifecycle rule): written again
        pending.add(task);
      } else {
        if (annotation == Annotation.NEWER_SAME_MASK && copyAnnotations && !files.isEmpty()) {
          copyAgain.addAll(files);
          counts.copied().add(1);
        }
        counts.unchanged().add(1);
      }
    }
    AnnotationCopies.copy(copyAgain, locations, annotationRoot, hadoopConf.get());
    return pending.iterator();
  }

  /** The copy of the old file or mask goes first: should the redo fail, no stale copy stays in the release. */
  private ImageTask redo(ImageTask task, Seen seen, Storage output, LongAccumulator counter) throws IOException {
    if (seen.outputPath() != null) {
      output.delete(locations.outputImagePath(seen.outputPath()), false);
    }
    counter.add(1);
    return task;
  }

  private enum Annotation { UNCHANGED, NEWER_SAME_MASK, CHANGED }

  /**
   * Whether the image's annotation {@code files} ({@link AnnotationCopies#of}; for COCO formats the index) were
   * written after the image was protected, and if so whether the mask they make now has another prompt (or none,
   * or no longer builds: the image is then redone and its row says why). A row of an earlier version, without a
   * prompt digest, is taken as unchanged.
   */
  private Annotation annotation(FolderStore annotations, Storage output, ImageTask task, List<String> files, Seen seen)
      throws IOException {
    if (seen.promptSha256() == null || task.mask() == null || seen.width() <= 0 || seen.height() <= 0) {
      return Annotation.UNCHANGED;
    }
    long written = indexModified;
    for (int i = 0; i < files.size(); i++) {
      Storage.Status now;
      try {
        now = annotations.storage().status(annotations.path(files.get(i)));
      } catch (java.nio.file.AccessDeniedException e) { // UnsafePathException included
        now = null;
      }
      if (now == null || now.directory()) {
        if (i == 0) {
          return Annotation.CHANGED; // its mask file gone since: a run now fails the image (annotation_missing)
        }
        continue; // a companion (Cityscapes' polygons, colours) is optional
      }
      written = Math.max(written, now.modified());
    }
    if (written <= seen.finishedAt() || !files.isEmpty() && copiedSince(output, files.get(0), written)) {
      return Annotation.UNCHANGED; // protected after the edit, or looked at again (and copied) by a resume since
    }
    try {
      BinaryMask mask = task.mask().build(seen.width(), seen.height(), annotations);
      return mask.count() > 0 && Sha256.ofPrompt(Composite.maskPrompt(mask)).equals(seen.promptSha256())
          ? Annotation.NEWER_SAME_MASK : Annotation.CHANGED;
    } catch (InputException e) {
      return Annotation.CHANGED;
    }
  }

  /** Whether the release's copy of an annotation file was written after {@code written}: a resume looked at it since. */
  private boolean copiedSince(Storage output, String file, long written) throws IOException {
    if (!copyAnnotations) {
      return false;
    }
    Storage.Status copy = output.status(AnnotationCopies.target(file, locations, annotationRoot));
    return copy != null && copy.modified() >= written;
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
