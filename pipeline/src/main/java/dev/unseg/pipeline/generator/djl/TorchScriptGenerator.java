package dev.unseg.pipeline.generator.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo;
import dev.unseg.pipeline.generator.GeneratorInfo.ImageInput;
import dev.unseg.pipeline.generator.NoiseGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The UnSeg generator exported to TorchScript, run through DJL's PyTorch engine. Thread-safe: each
 * concurrent {@link #generate} call borrows its own {@link BatchRunner} (DJL Predictors are not
 * thread-safe); runners are reused and all closed by {@link #close()}. Load it once per JVM through
 * {@code GeneratorCache}. On a GPU it builds X there from the 8-bit image ({@link DeviceImage}); on the
 * CPU the caller's threads build it ({@code Composite.generatorImage}), where it is as exact and faster.
 */
public final class TorchScriptGenerator implements NoiseGenerator {
  public static final String ID = "unseg-torchscript";
  /** This class's behaviour version, recorded with the DJL and libtorch versions in {@link #info()}. */
  public static final String IMPLEMENTATION_VERSION = "1";

  private final TorchScriptSettings settings;
  private final ZooModel<NDList, NDList> model;
  private final GeneratorInfo info;
  private final Queue<BatchRunner> idle = new ConcurrentLinkedQueue<>();
  private final List<BatchRunner> all = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean closed;

  private TorchScriptGenerator(TorchScriptSettings settings, ZooModel<NDList, NDList> model, GeneratorInfo info) {
    this.settings = settings;
    this.model = model;
    this.info = info;
  }

  /**
   * Checks the file's digest, starts the engine offline, loads the model on the device and runs one
   * warm-up batch of zeros through the whole output check, so a wrongly exported model fails here.
   */
  public static TorchScriptGenerator load(TorchScriptSettings s) throws GeneratorException {
    return load(s, s.device().equals("cpu") ? ImageInput.CPU_X : ImageInput.PIXELS);
  }

  /** {@link #load(TorchScriptSettings)} with X built as {@code input} says, whatever the device (tests). */
  static TorchScriptGenerator load(TorchScriptSettings s, ImageInput input) throws GeneratorException {
    if (!Files.isRegularFile(s.modelFile()) || !Files.isReadable(s.modelFile())) {
      throw new GeneratorException(
          "TorchScript model file " + s.modelFile().toAbsolutePath() + " does not exist or is not readable: set "
              + TorchScriptSettings.KEY_MODEL_FILE + " to the file made by tools/export_unseg.py, present on"
              + " every executor (ship it with --files or put it on a shared mount)");
    }
    String digest;
    try {
      digest = ModelDigest.sha256(s.modelFile());
    } catch (IOException e) {
      throw new GeneratorException("Cannot read model file " + s.modelFile() + ": " + e.getMessage(), e);
    }
    if (!s.expectedSha256().isEmpty() && !s.expectedSha256().equals(digest)) {
      throw new GeneratorException(
          "Refusing to load " + s.modelFile().toAbsolutePath() + ": its SHA-256 is " + digest + " but "
              + TorchScriptSettings.KEY_MODEL_SHA256 + " expects " + s.expectedSha256() + ". Use the model file"
              + " that digest was recorded for, or, if this file is the one you mean, set "
              + TorchScriptSettings.KEY_MODEL_SHA256 + "=" + digest);
    }
    Engine engine = PyTorchRuntime.engine(s);
    Device device = PyTorchRuntime.device(engine, s);
    ZooModel<NDList, NDList> model = loadModel(s, device);
    String version = IMPLEMENTATION_VERSION + "; djl " + Engine.getDjlVersion() + "; libtorch " + engine.getVersion();
    TorchScriptGenerator g = new TorchScriptGenerator(s, model, new GeneratorInfo(ID, version, digest, input));
    try {
      g.warmUp();
    } catch (GeneratorException | RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  private static ZooModel<NDList, NDList> loadModel(TorchScriptSettings s, Device device) throws GeneratorException {
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(s.modelFile().toAbsolutePath())
            .optEngine(PyTorchRuntime.ENGINE)
            .optDevice(device)
            .optTranslator(new NoopTranslator())
            .optOption("mapLocation", "true") // a CPU-exported file still loads onto the GPU
            .build();
    try {
      return criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
      throw new GeneratorException(
          "Cannot load " + s.modelFile().toAbsolutePath() + " as a TorchScript module on " + s.device() + ": "
              + PyTorchRuntime.rootMessage(e) + ". The file must be saved by torch.jit.save (tools/export_unseg.py"
              + " does this), not a state_dict .pth checkpoint",
          e);
    }
  }

  private void warmUp() throws GeneratorException {
    float[] x = info.imageInput() == ImageInput.CPU_X ? new float[BatchRunner.IMAGE_VALUES] : null;
    generate(List.of(new GeneratorImage(1, 1, new byte[3], x)), List.of(new float[BatchRunner.PROMPT_VALUES]));
  }

  @Override
  public GeneratorInfo info() {
    return info;
  }

  public TorchScriptSettings settings() {
    return settings;
  }

  @Override
  public List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts) throws GeneratorException {
    if (closed) {
      throw new IllegalStateException("generator for " + settings.modelFile() + " is closed");
    }
    InputCheck.check(images, prompts, info.imageInput());
    List<float[]> result = new ArrayList<>(images.size());
    if (images.isEmpty()) {
      return result;
    }
    BatchRunner runner = borrow();
    try {
      int b = settings.batchSize();
      for (int from = 0; from < images.size(); from += b) {
        int count = Math.min(b, images.size() - from);
        float[] batch = runner.run(images, prompts, from, count, settings.modelFile().toString());
        for (int i = 0; i < count; i++) {
          float[] noise = Arrays.copyOfRange(batch, i * BatchRunner.NOISE_VALUES, (i + 1) * BatchRunner.NOISE_VALUES);
          OutputCheck.check(noise, from + i, settings.modelFile());
          result.add(noise);
        }
      }
    } finally {
      idle.add(runner);
    }
    return result;
  }

  private BatchRunner borrow() {
    BatchRunner r = idle.poll();
    if (r == null) {
      r = new BatchRunner(model, settings.batchSize(), info.imageInput() == ImageInput.PIXELS);
      all.add(r);
    }
    return r;
  }

  /** Closes every Predictor and the model. Callers must have no generate() call in flight. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (all) {
      all.forEach(BatchRunner::close);
      all.clear();
    }
    idle.clear();
    model.close();
  }

  /** How many Predictors exist (one per thread that ran concurrently at the peak). */
  int predictorCount() {
    return all.size();
  }
}
