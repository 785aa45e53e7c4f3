package dev.unseg.pipeline.dataset;

import java.io.Serializable;
import java.util.List;

/**
 * One COCO panoptic annotation: the PNG of segment ids for an image and what each id is.
 *
 * @param fileName the PNG's name, relative to the panoptic PNG folder
 * @param problem non-null when the entry is unusable (no file name, a broken segment entry)
 */
public record PanopticEntry(long imageId, String fileName, List<Segment> segments, ImageTask.Rejection problem)
    implements Serializable {

  public PanopticEntry {
    segments = List.copyOf(segments);
  }

  /** One element of {@code segments_info}; its pixels are those whose R + 256 G + 65536 B equals {@code id}. */
  public record Segment(long id, long categoryId, boolean crowd, long area) implements Serializable {}
}
