package dev.unseg.pipeline.generator;

/**
 * One image as a generator that reads images is given it: the decoded 8-bit pixels ({@code [y][x][c]},
 * RGB) and, for a generator that asks for {@link GeneratorInfo.ImageInput#CPU_X}, X already built on the
 * CPU; {@code x} is null for one that asks for {@link GeneratorInfo.ImageInput#PIXELS}.
 */
public record GeneratorImage(int width, int height, byte[] rgb, float[] x) {}
