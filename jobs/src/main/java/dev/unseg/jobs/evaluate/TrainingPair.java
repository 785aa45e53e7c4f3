package dev.unseg.jobs.evaluate;

/** A training image at base size in its clean and its protected (not yet defended) version, with its class map. */
public record TrainingPair(String path, Rgb clean, Rgb protectedImage, byte[] label) {}
