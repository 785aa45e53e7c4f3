package dev.unseg.pipeline.dataset;

import java.io.Serializable;

/**
 * One entry of a COCO {@code categories} list.
 *
 * @param isThing the panoptic {@code isthing} flag, null when the file has none (instance files)
 */
public record CocoCategory(long id, String name, Boolean isThing) implements Serializable {}
