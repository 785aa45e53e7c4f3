package dev.unseg.pipeline.dataset;

import java.io.Serializable;

/**
 * One COCO instance annotation.
 *
 * @param segmentation null when {@code problem} is set
 * @param problem non-null when this annotation is unusable (bad polygon, unparsable counts, no
 *     segmentation): the image it belongs to fails with this code if the annotation is selected
 */
public record CocoAnnotationEntry(
    long id, long imageId, long categoryId, boolean crowd, CocoSegmentation segmentation, ImageTask.Rejection problem)
    implements Serializable {}
