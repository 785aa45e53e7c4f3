package dev.unseg.pipeline.audit;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Distortion#measure}'s inner loop (the squared differences of one run of samples) in SIMD through
 * the Vector API, used where {@code Composite.SIMD} says the JVM has it: eight samples a lane each, widened
 * to ints as {@code composite.VectorRun} does. Integer sums, so the figures are those of the scalar loop.
 */
final class VectorSquares {
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
  private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.S_64_BIT);

  private VectorSquares() {}

  /**
   * The sum of {@code (a[i] - b[i])^2} (unsigned samples) for {@code from <= i < to}, at most {@link
   * Distortion#CHUNK} samples so that the int sums are exact; raises {@code max[0]} to the largest square.
   */
  static int squares(byte[] a, byte[] b, int from, int to, int[] max) {
    IntVector sums = IntVector.zero(INTS);
    IntVector maxima = IntVector.zero(INTS);
    int i = from;
    for (int end = from + INTS.loopBound(to - from); i < end; i += INTS.length()) {
      IntVector d = widen(a, i).sub(widen(b, i));
      IntVector q = d.mul(d);
      sums = sums.add(q);
      maxima = maxima.max(q);
    }
    int s = sums.reduceLanes(VectorOperators.ADD);
    max[0] = Math.max(max[0], maxima.reduceLanes(VectorOperators.MAX));
    return s + Distortion.squares(a, b, i, to, max);
  }

  private static IntVector widen(byte[] samples, int i) {
    return ((IntVector) ByteVector.fromArray(BYTES, samples, i).castShape(INTS, 0)).and(0xff);
  }
}
