package dev.unseg.jobs.evaluate;

/**
 * One image at the recipe's base size with its class map (0 = background, 255 = ignore).
 *
 * @param path the image's path relative to the images folder
 */
record Sample(String path, Rgb image, byte[] label) {}
