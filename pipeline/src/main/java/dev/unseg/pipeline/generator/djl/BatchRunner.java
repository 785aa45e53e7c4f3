package dev.unseg.pipeline.generator.djl;

import static dev.unseg.pipeline.generator.NoiseGenerator.IMAGE_SIZE;
import static dev.unseg.pipeline.generator.NoiseGenerator.NOISE_SIZE;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.unseg.pipeline.generator.GeneratorImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * One DJL {@link Predictor} (not thread-safe) with its reusable native-order input buffers. Used by one
 * thread at a time; {@link TorchScriptGenerator} pools them. Every forward pass has the same shape
 * [batchSize, ...]: a short batch is padded with zeros, so TorchScript's graph executor, which
 * specialises per input shape, optimises once. X comes built from the CPU, or is built here on the
 * model's device from the 8-bit pixels ({@link DeviceImage}).
 */
final class BatchRunner implements AutoCloseable {
  static final int IMAGE_VALUES = 3 * IMAGE_SIZE * IMAGE_SIZE;
  static final int PROMPT_VALUES = NOISE_SIZE * NOISE_SIZE;
  static final int NOISE_VALUES = 3 * NOISE_SIZE * NOISE_SIZE;
  private static final float[] ZEROS = new float[PROMPT_VALUES];

  private final ZooModel<NDList, NDList> model;
  private final Predictor<NDList, NDList> predictor;
  private final int batchSize;
  private final boolean xOnDevice;
  private final ByteBuffer imageBytes;
  private final ByteBuffer promptBytes;
  private final Shape imageShape;
  private final Shape promptShape;

  BatchRunner(ZooModel<NDList, NDList> model, int batchSize, boolean xOnDevice) {
    this.model = model;
    this.predictor = model.newPredictor();
    this.batchSize = batchSize;
    this.xOnDevice = xOnDevice;
    this.imageBytes = xOnDevice ? null
        : ByteBuffer.allocateDirect(batchSize * IMAGE_VALUES * Float.BYTES).order(ByteOrder.nativeOrder());
    this.promptBytes = ByteBuffer.allocateDirect(batchSize * PROMPT_VALUES * Float.BYTES).order(ByteOrder.nativeOrder());
    this.imageShape = new Shape(batchSize, 3, IMAGE_SIZE, IMAGE_SIZE);
    this.promptShape = new Shape(batchSize, 1, NOISE_SIZE, NOISE_SIZE);
  }

  /**
   * Runs items {@code from .. from+count-1} (count <= batchSize) as one padded batch. Returns the raw
   * output values of the whole batch, padding rows included, after checking the output's shape.
   */
  float[] run(List<GeneratorImage> images, List<float[]> prompts, int from, int count, String modelName)
      throws GeneratorException {
    fill(promptBytes.asFloatBuffer(), prompts, from, count, PROMPT_VALUES);
    try (NDManager batch = model.getNDManager().newSubManager()) {
      NDArray x = images(batch, images, from, count);
      NDArray p = batch.create(promptBytes, promptShape, DataType.FLOAT32);
      NDList out = predictor.predict(new NDList(x, p));
      out.attach(batch); // freed with the batch, whatever manager the engine put them on
      Shape expected = new Shape(batchSize, 3, NOISE_SIZE, NOISE_SIZE);
      if (out.size() != 1 || !out.get(0).getShape().equals(expected) || out.get(0).getDataType() != DataType.FLOAT32) {
        throw new GeneratorException(
            "TorchScript model " + modelName + " returned " + describe(out) + " for inputs X " + imageShape
                + " and P " + promptShape + "; the UnSeg contract is one float32 tensor " + expected
                + ". The model was exported wrongly: re-export it with tools/export_unseg.py (a traced model"
                + " also fixes its batch size: export with --batch-size equal to "
                + TorchScriptSettings.KEY_BATCH_SIZE + ")");
      }
      return out.get(0).toFloatArray();
    } catch (TranslateException | RuntimeException e) {
      throw new GeneratorException(
          "TorchScript model " + modelName + " failed on inputs X " + imageShape + " and P " + promptShape + ": "
              + PyTorchRuntime.rootMessage(e) + ". Check that the file was made by tools/export_unseg.py for"
              + " this contract and that " + TorchScriptSettings.KEY_BATCH_SIZE + " matches its export"
              + " --batch-size if it was traced",
          e);
    }
  }

  private NDArray images(NDManager batch, List<GeneratorImage> images, int from, int count) {
    if (!xOnDevice) {
      fill(imageBytes.asFloatBuffer(), images.subList(from, from + count).stream().map(GeneratorImage::x).toList(),
          0, count, IMAGE_VALUES);
      return batch.create(imageBytes, imageShape, DataType.FLOAT32);
    }
    NDList rows = new NDList(batchSize);
    for (int i = 0; i < count; i++) {
      rows.add(DeviceImage.x(batch, images.get(from + i)));
    }
    while (rows.size() < batchSize) {
      rows.add(batch.zeros(imageShape.slice(1)));
    }
    return NDArrays.stack(rows);
  }

  private static void fill(FloatBuffer dst, List<float[]> src, int from, int count, int valuesPerItem) {
    for (int i = 0; i < count; i++) {
      dst.put(src.get(from + i));
    }
    while (dst.hasRemaining()) { // padding rows: zeros, never a previous batch's data
      dst.put(ZEROS, 0, Math.min(ZEROS.length, dst.remaining()));
    }
  }

  private static String describe(NDList out) {
    StringBuilder b = new StringBuilder(out.size() + " tensor(s)");
    for (NDArray a : out) {
      b.append(' ').append(a.getDataType()).append(a.getShape());
    }
    return b.toString();
  }

  @Override
  public void close() {
    predictor.close();
  }
}
