package dev.unseg.jobs.evaluate;

/** A training image in its clean and its protected (then defended) version, with its label. */
public record TrainingPair(String path, Rgb clean, Rgb protectedImage, byte[] label) {}
