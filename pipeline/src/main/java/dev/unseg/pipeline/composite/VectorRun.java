package dev.unseg.pipeline.composite;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Composite#protectWithWeight}'s inner loop (one run of equal weight), {@link
 * Composite#foregroundWeight}'s (one row) and the column resample of a noise or P row, in SIMD through the Vector API
 * (Java 17's incubator module {@code jdk.incubator.vector}: the JVM must be started with {@code
 * --add-modules=jdk.incubator.vector}, as {@code bin/unseg} and the deploy files do; without it {@link
 * Composite} keeps its scalar loop). The same float32 operations lane by lane as the scalar loops,
 * so the bytes are the same for every float (CompositeTest compares the two on random values, NaN and
 * infinities included, and the torch fixtures with the loop in use).
 *
 * <p>Java 17 compiles the byte-to-int widening to SIMD but not the narrowing back, so the rounded values go
 * out as float bits: after clamping to [0, 255], {@code v + 2^23} is {@code 2^23 + rint(v)}, whose low
 * byte is the result; a scalar loop, which the JIT vectorises, stores those bytes.
 */
final class VectorRun {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
  private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.S_64_BIT);

  private VectorRun() {}

  /** Whether this JVM resolved the module and compiles 256-bit float vectors to SIMD (AVX2 or wider). */
  static boolean usable() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= FLOATS.vectorBitSize();
  }

  /**
   * {@code out[i + j] = apply(rgb[i + j], 255 * (lerp(t0[k + j], wy0, t1[k + j], wy1) * bound))} for
   * {@code j < n}; {@code bits} is scratch of at least {@code n} ints.
   */
  static void apply(byte[] rgb, byte[] out, int i, float[] t0, float[] t1, int k, int n,
      float wy0, float wy1, float bound, int[] bits) {
    FloatVector w0 = FloatVector.broadcast(FLOATS, wy0);
    int lanes = FLOATS.loopBound(n);
    for (int j = 0; j < lanes; j += FLOATS.length()) {
      FloatVector a = FloatVector.fromArray(FLOATS, t0, k + j);
      FloatVector b = FloatVector.fromArray(FLOATS, t1, k + j);
      // Math.fma(a, wy0, b * wy1), as Axis.lerp, then 255 * (n * bound): multiplication commutes exactly.
      FloatVector shift = a.fma(w0, b.mul(wy1)).mul(bound).mul(255f);
      FloatVector pixel = ((IntVector) ByteVector.fromArray(BYTES, rgb, i + j).castShape(INTS, 0))
          .and(0xff).convert(VectorOperators.I2F, 0).reinterpretAsFloats();
      clampRoundBits(pixel.add(shift)).intoArray(bits, j);
    }
    narrow(bits, out, i, lanes);
    Composite.applyRun(rgb, out, i + lanes, t0, t1, k + lanes, n - lanes, wy0, wy1, bound);
  }

  /** {@code w[i + x] = clampRound(lerp(t0[x], wy0, t1[x], wy1))} for {@code x < n}: one row of W. */
  static void weightRow(float[] t0, float[] t1, float wy0, float wy1, byte[] w, int i, int n, int[] bits) {
    FloatVector w0 = FloatVector.broadcast(FLOATS, wy0);
    int lanes = FLOATS.loopBound(n);
    for (int x = 0; x < lanes; x += FLOATS.length()) {
      FloatVector a = FloatVector.fromArray(FLOATS, t0, x);
      FloatVector b = FloatVector.fromArray(FLOATS, t1, x);
      clampRoundBits(a.fma(w0, b.mul(wy1))).intoArray(bits, x);
    }
    narrow(bits, w, i, lanes);
    Composite.weightRow(t0, t1, wy0, wy1, w, i, lanes, n);
  }

  /** {@link Composite#resampleRow} from 0: eight taps at a time, gathered. */
  static void resampleRow(float[] planes, int src, int[] i0, float[] w0, int[] i1, float[] w1, float[] t) {
    int lanes = FLOATS.loopBound(t.length);
    for (int k = 0; k < lanes; k += FLOATS.length()) {
      FloatVector a = FloatVector.fromArray(FLOATS, planes, src, i0, k);
      FloatVector b = FloatVector.fromArray(FLOATS, planes, src, i1, k);
      a.fma(FloatVector.fromArray(FLOATS, w0, k), b.mul(FloatVector.fromArray(FLOATS, w1, k))).intoArray(t, k);
    }
    Composite.resampleRow(planes, src, i0, w0, i1, w1, t, lanes);
  }

  /**
   * The float bits of {@code 2^23 + Composite.clampRound(v)}, whose low byte is clampRound's value. clampRound
   * maps NaN (only from a NaN noise value, which OutputCheck refuses) to 0 as it does -0; max/min would keep
   * a NaN, whose payload can reach the low byte, so it is zeroed first.
   */
  private static IntVector clampRoundBits(FloatVector v) {
    return v.blend(0f, v.test(VectorOperators.IS_NAN)).max(0f).min(255f).add(Composite.ROUNDING).reinterpretAsInts();
  }

  /** {@code out[i + j] = (byte) bits[j]} for {@code j < n}: the narrowing Java 17's Vector API does slowly. */
  private static void narrow(int[] bits, byte[] out, int i, int n) {
    for (int j = 0; j < n; j++) {
      out[i + j] = (byte) bits[j];
    }
  }
}
