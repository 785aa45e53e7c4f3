package dev.unseg.jobs.evaluate;

/**
 * One image at the probe's size: RGB in [0, 1], planar [3, S, S], and its label (1 = object).
 *
 * @param path the image's path relative to the images folder
 */
record Sample(String path, float[] chw, byte[] label, int size) {}
