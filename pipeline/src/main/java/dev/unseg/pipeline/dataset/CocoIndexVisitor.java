package dev.unseg.pipeline.dataset;

/** Receives the entries of a COCO index as {@link CocoIndexReader} streams through it. */
public interface CocoIndexVisitor {
  default void image(CocoImageEntry image) {}

  default void annotation(CocoAnnotationEntry annotation) {}

  default void panoptic(PanopticEntry entry) {}

  default void category(CocoCategory category) {}
}
