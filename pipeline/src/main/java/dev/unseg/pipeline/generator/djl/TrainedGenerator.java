package dev.unseg.pipeline.generator.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo;
import dev.unseg.pipeline.generator.GeneratorInfo.ImageInput;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.nn.UNet;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A generator trained by {@code unseg train-generator} (UnSeg's min-min, docs/train-generator.md): a
 * small U-Net that reads the image's padded square at the noise resolution and the mask prompt, and
 * writes {@code tanh} noise [3, 256, 256]. The model file is a zip of {@value #HEADER} (what it is and
 * how it was trained) and {@value #PARAMS} (DJL's parameter stream). It runs on DJL's PyTorch engine, on
 * the CPU or a GPU, and reads the 8-bit pixels ({@link ImageInput#PIXELS}): its input is 16 times
 * smaller than the TorchScript generator's X. Thread-safe: calls are serialised (one small forward).
 */
public final class TrainedGenerator implements NoiseGenerator {
  public static final String ID = "unseg-trained";
  public static final String FORMAT = "unseg-trained-generator";
  /** The input and output side: the contract's noise resolution. */
  public static final int SIDE = NOISE_SIZE;
  static final String HEADER = "generator.json";
  static final String PARAMS = "generator.params";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Model model;
  private final Block block;
  private final GeneratorInfo info;
  private final int batchSize;
  private final String file;

  private TrainedGenerator(Model model, Block block, GeneratorInfo info, int batchSize, String file) {
    this.model = model;
    this.block = block;
    this.info = info;
    this.batchSize = batchSize;
    this.file = file;
  }

  /** The network: a U-Net on [image (3), prompt in {0, 1} (1)] at {@link #SIDE}, tanh noise out. */
  public static Block network(int baseChannels) {
    return new SequentialBlock().add(UNet.build(baseChannels, 3)).add(Activation::tanh);
  }

  /**
   * One image's input, CHW {@code float[4 * SIDE * SIDE]}: the padded square resized to SIDE (X at
   * SIDE, {@link Composite#squareImage}) and the prompt P / 255. Training and protect build it here alike.
   */
  public static float[] input(byte[] rgb, int width, int height, float[] prompt) {
    float[] image = Composite.squareImage(rgb, width, height, SIDE);
    float[] out = new float[4 * SIDE * SIDE];
    System.arraycopy(image, 0, out, 0, image.length);
    for (int i = 0; i < prompt.length; i++) {
      out[image.length + i] = prompt[i] / 255f;
    }
    return out;
  }

  /** Writes a model file: the header (the caller's training record, with the format and architecture added) and the parameters. */
  public static void write(OutputStream out, Block block, int baseChannels, ObjectNode training) throws IOException {
    ObjectNode header = JSON.createObjectNode().put("format", FORMAT).put("version", 1).put("base_channels", baseChannels)
        .put("side", SIDE);
    header.set("training", training);
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(HEADER));
      zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(header));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry(PARAMS));
      DataOutputStream data = new DataOutputStream(zip);
      block.saveParameters(data);
      data.flush();
      zip.closeEntry();
    }
  }

  /** The header of a model file, or an error naming the file when it is not one. */
  public static JsonNode header(byte[] modelFile, String name) throws GeneratorException {
    return read(modelFile, name).header();
  }

  private record Contents(JsonNode header, byte[] params) {}

  private static Contents read(byte[] bytes, String name) throws GeneratorException {
    JsonNode header = null;
    byte[] params = null;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals(HEADER)) {
          header = JSON.readTree(zip.readAllBytes());
        } else if (e.getName().equals(PARAMS)) {
          params = zip.readAllBytes();
        }
      }
    } catch (IOException e) {
      header = null;
    }
    if (header == null || params == null || !FORMAT.equals(header.path("format").asText())) {
      throw new GeneratorException(name + " is not a trained generator (a zip with " + HEADER + " and " + PARAMS
          + ", made by unseg train-generator). --generator trained takes such a file; a TorchScript export of UnSeg"
          + " runs with --generator unseg.");
    }
    if (header.path("version").asInt() != 1 || header.path("side").asInt() != SIDE) {
      throw new GeneratorException(name + " is a trained generator of format version " + header.path("version").asInt()
          + " at side " + header.path("side").asInt() + "; this unseg reads version 1 at side " + SIDE
          + ". Train it again with this version's unseg train-generator.");
    }
    return new Contents(header, params);
  }

  /**
   * Loads a model file on the settings' device, after checking its digest as the TorchScript generator
   * does, and runs one batch of zeros through the output check.
   */
  public static TrainedGenerator load(TorchScriptSettings s) throws GeneratorException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(s.modelFile());
    } catch (IOException e) {
      throw new GeneratorException("Cannot read the trained generator " + s.modelFile() + ": " + e.getMessage(), e);
    }
    String digest;
    try {
      digest = ModelDigest.sha256(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new GeneratorException("Cannot digest " + s.modelFile() + ": " + e.getMessage(), e);
    }
    if (!s.expectedSha256().isEmpty() && !s.expectedSha256().equals(digest)) {
      throw new GeneratorException("Refusing to load " + s.modelFile().toAbsolutePath() + ": its SHA-256 is " + digest
          + " but " + TorchScriptSettings.KEY_MODEL_SHA256 + " expects " + s.expectedSha256());
    }
    Contents contents = read(bytes, s.modelFile().toString());
    Engine engine = PyTorchRuntime.engine(s);
    Device device = PyTorchRuntime.device(engine, s);
    int base = contents.header().path("base_channels").asInt();
    Block block = network(base);
    Model model = Model.newInstance(ID, device, PyTorchRuntime.ENGINE);
    model.setBlock(block);
    try {
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 4, SIDE, SIDE));
      block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(contents.params())));
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new GeneratorException("Cannot load the parameters of " + s.modelFile() + ": " + PyTorchRuntime.rootMessage(e)
          + ". The file is damaged or from another unseg version: train it again.", e);
    }
    String version = "1; djl " + Engine.getDjlVersion() + "; libtorch " + engine.getVersion();
    TrainedGenerator g = new TrainedGenerator(model, block, new GeneratorInfo(ID, version, digest, ImageInput.PIXELS),
        s.batchSize(), s.modelFile().toString());
    try {
      g.generate(List.of(new GeneratorImage(1, 1, new byte[3], null)), List.of(new float[SIDE * SIDE]));
    } catch (GeneratorException | RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** The noise for a batch of inputs built by {@link #input}: [B, 3, SIDE, SIDE], inference mode. */
  private static NDArray forward(Block block, NDManager manager, NDArray inputs) {
    return block.forward(new ParameterStore(manager, false), new NDList(inputs), false).singletonOrThrow();
  }

  @Override
  public GeneratorInfo info() {
    return info;
  }

  @Override
  public synchronized List<float[]> generate(List<GeneratorImage> images, List<float[]> prompts) throws GeneratorException {
    InputCheck.check(images, prompts, info.imageInput());
    List<float[]> result = new ArrayList<>(images.size());
    int per = 4 * SIDE * SIDE;
    for (int from = 0; from < images.size(); from += batchSize) {
      int b = Math.min(batchSize, images.size() - from);
      float[] x = new float[b * per];
      for (int k = 0; k < b; k++) {
        GeneratorImage img = images.get(from + k);
        System.arraycopy(input(img.rgb(), img.width(), img.height(), prompts.get(from + k)), 0, x, k * per, per);
      }
      try (NDManager nd = model.getNDManager().newSubManager()) {
        float[] noise = forward(block, nd, nd.create(x, new Shape(b, 4, SIDE, SIDE))).toFloatArray();
        int n = 3 * SIDE * SIDE;
        for (int k = 0; k < b; k++) {
          float[] one = new float[n];
          System.arraycopy(noise, k * n, one, 0, n);
          OutputCheck.check(one, from + k, java.nio.file.Path.of(file));
          result.add(one);
        }
      }
    }
    return result;
  }

  @Override
  public void close() {
    model.close();
  }
}
