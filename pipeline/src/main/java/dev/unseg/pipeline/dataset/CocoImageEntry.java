package dev.unseg.pipeline.dataset;

import java.io.Serializable;

/**
 * One entry of a COCO {@code images} list.
 *
 * @param width 0 when the index does not say (masks are then made at the decoded size)
 * @param height 0 when the index does not say
 */
public record CocoImageEntry(long imageId, String fileName, int width, int height) implements Serializable {}
