package dev.unseg.jobs.protect;

import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputFullException;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.dataset.LabelMapLayout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Label maps, panoptic PNGs, mask files and their companions travel unchanged with their images into the
 * release, at their mirrored paths beside the images (a COCO index is copied once, by the job).
 */
final class AnnotationCopies {
  private AnnotationCopies() {}

  /** The files an image's annotation is made of, relative to the annotation root; empty for an index's. */
  static List<String> of(DatasetFormat format, ImageTask task) {
    if (task.mask() == null || task.mask().annotationPath() == null) {
      return List.of();
    }
    List<String> files = new ArrayList<>();
    files.add(task.mask().annotationPath());
    files.addAll(LabelMapLayout.companions(format, task.mask().annotationPath()));
    return files;
  }

  /** Where the release holds an annotation file (relative to the annotation root). */
  static org.apache.hadoop.fs.Path target(String relativePath, Locations locations, URI annotationRoot) {
    return locations.layout().path(locations.mirror(Locations.directory(annotationRoot)) + relativePath);
  }

  /** Copies the files into the release; one gone or refused is skipped (the image's row already says why). */
  static void copy(Collection<String> relativePaths, Locations locations, URI annotationRoot, Configuration hadoop)
      throws IOException {
    FolderStore source = new FolderStore(annotationRoot, hadoop);
    Storage output = Storage.of(locations.output(), hadoop);
    for (String rel : relativePaths) {
      byte[] data;
      try {
        data = source.readAll(rel);
      } catch (FileNotFoundException | dev.unseg.pipeline.dataset.UnsafePathException e) {
        continue;
      }
      org.apache.hadoop.fs.Path target = target(rel, locations, annotationRoot);
      try {
        output.publish(target, data);
      } catch (IOException e) {
        throw OutputFullException.stopIfFull(e, target);
      }
    }
  }
}
