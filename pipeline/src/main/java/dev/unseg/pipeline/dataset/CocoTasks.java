package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one COCO image entry and its annotations into an {@link ImageTask}. Everything that can be
 * judged from the index alone (unsafe path, unknown category, a broken annotation) rejects the task
 * here, before any pixel is read.
 *
 * <p>Selection: ALL takes every segment; THINGS the segments whose category has {@code isthing}
 * (a category without the flag, as in instance files, counts as a thing); ONE_CLASS / CLASSES
 * those whose category id is named. Crowd segments are dropped when {@code excludeCrowd}.
 */
public final class CocoTasks {
  private CocoTasks() {}

  public static ImageTask instancesTask(
      CocoImageEntry image, List<CocoAnnotationEntry> annotations, Map<Long, CocoCategory> categories, Selection selection) {
    String path = image.fileName();
    try {
      DatasetPaths.checkSafeRelativePath(path);
      List<CocoSegmentation> segments = new ArrayList<>();
      long[] ids = new long[annotations.size()];
      for (CocoAnnotationEntry a : annotations) {
        if (a.problem() != null) {
          throw new InputException(a.problem().code(), a.problem().message());
        }
        CocoCategory category = category(categories, a.categoryId(), "annotation " + a.id(), image);
        if (!selected(selection, category, a.crowd())) {
          continue;
        }
        if (a.segmentation() instanceof CocoSegmentation.RleCounts r
            && image.width() != 0 && (r.width() != image.width() || r.height() != image.height())) {
          throw new InputException(ErrorCode.MASK_SIZE_MISMATCH,
              "annotation " + a.id() + " has an RLE of " + r.width() + "x" + r.height() + " (w x h) but its image is "
                  + image.width() + "x" + image.height());
        }
        ids[segments.size()] = a.id();
        segments.add(a.segmentation());
      }
      return ImageTask.of(path, new CocoSegmentsMask(path, image.width(), image.height(), segments,
          java.util.Arrays.copyOf(ids, segments.size())));
    } catch (InputException e) {
      return ImageTask.rejected(path, e.code(), "image " + image.imageId() + " (" + path + "): " + e.getMessage());
    }
  }

  /**
   * @param entry the image's panoptic annotation, null when the index has none (ANNOTATION_MISSING)
   * @param panopticPngDir the folder of the panoptic PNGs relative to the annotations root ("" for the root)
   */
  public static ImageTask panopticTask(
      CocoImageEntry image, PanopticEntry entry, Map<Long, CocoCategory> categories, Selection selection, String panopticPngDir) {
    String path = image.fileName();
    try {
      DatasetPaths.checkSafeRelativePath(path);
      if (entry == null) {
        throw new InputException(ErrorCode.ANNOTATION_MISSING,
            "the panoptic index has no annotation for this image; add one or leave the image out of 'images'");
      }
      if (entry.problem() != null) {
        throw new InputException(entry.problem().code(), entry.problem().message());
      }
      DatasetPaths.checkSafeRelativePath(entry.fileName());
      String dir = panopticPngDir == null || panopticPngDir.isEmpty() || panopticPngDir.endsWith("/")
          ? (panopticPngDir == null ? "" : panopticPngDir)
          : panopticPngDir + "/";
      int[] ids = new int[entry.segments().size()];
      int n = 0;
      for (PanopticEntry.Segment s : entry.segments()) {
        CocoCategory category = category(categories, s.categoryId(), "segment " + s.id(), image);
        if (selected(selection, category, s.crowd())) {
          ids[n++] = (int) s.id();
        }
      }
      return ImageTask.of(path, new PanopticPngMask(dir + entry.fileName(), java.util.Arrays.copyOf(ids, n)));
    } catch (InputException e) {
      return ImageTask.rejected(path, e.code(), "image " + image.imageId() + " (" + path + "): " + e.getMessage());
    }
  }

  private static CocoCategory category(Map<Long, CocoCategory> categories, long id, String who, CocoImageEntry image)
      throws InputException {
    CocoCategory c = categories.get(id);
    if (c == null) {
      throw new InputException(ErrorCode.CLASS_OUT_OF_RANGE,
          who + " has category_id " + id + ", which the index's 'categories' does not list");
    }
    return c;
  }

  /** Whether {@code s} puts a segment of {@code category} (a crowd region when {@code crowd}) into the mask. */
  public static boolean selected(Selection s, CocoCategory category, boolean crowd) {
    if (crowd && s.excludeCrowd()) {
      return false;
    }
    return switch (s.mode()) {
      case ALL -> true;
      case THINGS -> !Boolean.FALSE.equals(category.isThing());
      case ONE_CLASS, CLASSES -> s.names(category.id());
    };
  }
}
