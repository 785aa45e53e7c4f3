package dev.unseg.pipeline.generator.djl;

import static dev.unseg.pipeline.generator.NoiseGenerator.IMAGE_SIZE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.unseg.pipeline.composite.Axis;
import dev.unseg.pipeline.generator.GeneratorImage;
import java.nio.ByteBuffer;

/**
 * X built where the model runs, from the 8-bit image: only the image's bytes cross to the device, not
 * 12 MiB of floats built on the CPU. The same values as {@code Composite.generatorImage} (zero-pad to
 * SxS, bilinear to 1024x1024, / 255): each two-tap sum is its {@code fma(a, wa, b * wb)}, computed as
 * b * wb rounded to float32, plus a * wa in float64 (where that product is exact), rounded to float32
 * once. Equal to the bit on every fixture case (DeviceImageTest); in principle about one value in 2^29
 * can differ in its last bit, where the float64 sum rounds onto a float32 tie.
 */
final class DeviceImage {
  private DeviceImage() {}

  /** X of one image, [3, 1024, 1024] float32 on {@code nd}'s device. */
  static NDArray x(NDManager nd, GeneratorImage image) {
    int w = image.width();
    int h = image.height();
    Taps cols = Taps.of(Math.max(w, h), w);
    Taps rows = Taps.of(Math.max(w, h), h);
    NDArray chw = nd.create(ByteBuffer.wrap(image.rgb()), new Shape(h, w, 3), DataType.UINT8)
        .transpose(2, 0, 1).toType(DataType.FLOAT32, false);
    NDArray t = sum(chw.get(new NDIndex(":, :, {}", nd.create(cols.i0))), nd.create(cols.w0),
        chw.get(new NDIndex(":, :, {}", nd.create(cols.i1))), nd.create(cols.w1));
    Shape column = new Shape(IMAGE_SIZE, 1);
    NDArray x = sum(t.get(new NDIndex(":, {}, :", nd.create(rows.i0))), nd.create(rows.w0).reshape(column),
        t.get(new NDIndex(":, {}, :", nd.create(rows.i1))), nd.create(rows.w1).reshape(column));
    return x.div(255f);
  }

  /** fma(a, wa, b * wb) in float32, elementwise with broadcasting. */
  private static NDArray sum(NDArray a, NDArray wa, NDArray b, NDArray wb) {
    NDArray bw = b.mul(wb).toType(DataType.FLOAT64, false);
    return a.toType(DataType.FLOAT64, false).mul(wa.toType(DataType.FLOAT64, false)).add(bw).toType(DataType.FLOAT32, false);
  }

  /**
   * The bilinear taps of a pad-to-{@code padded}-then-resize axis over {@code size} real pixels: a tap in the
   * zero padding reads pixel 0 with weight 0, which adds +0 as the padded tensor would (pixels are >= 0).
   */
  private record Taps(long[] i0, long[] i1, float[] w0, float[] w1) {
    static Taps of(int padded, int size) {
      Axis a = Axis.bilinear(padded, IMAGE_SIZE, IMAGE_SIZE);
      Taps t = new Taps(new long[IMAGE_SIZE], new long[IMAGE_SIZE], new float[IMAGE_SIZE], new float[IMAGE_SIZE]);
      for (int i = 0; i < IMAGE_SIZE; i++) {
        boolean in0 = a.i0()[i] < size;
        boolean in1 = a.i1()[i] < size;
        t.i0[i] = in0 ? a.i0()[i] : 0;
        t.w0[i] = in0 ? a.w0()[i] : 0f;
        t.i1[i] = in1 ? a.i1()[i] : 0;
        t.w1[i] = in1 ? a.w1()[i] : 0f;
      }
      return t;
    }
  }
}
