package dev.unseg.pipeline.generator.djl;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How to load the UnSeg generator exported to TorchScript (see {@code tools/export_unseg.py}).
 *
 * @param modelFile the {@code .pt} file ({@value #KEY_MODEL_FILE})
 * @param expectedSha256 SHA-256 hex the file must have ({@value #KEY_MODEL_SHA256}); blank = not
 *     checked, but the digest is still computed and recorded in {@code GeneratorInfo}
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N} ({@value #KEY_DEVICE}); a GPU is never
 *     replaced by the CPU silently
 * @param batchSize items per forward pass; every pass has exactly this batch dimension, the last one
 *     padded with zeros ({@value #KEY_BATCH_SIZE})
 * @param interOpThreads PyTorch inter-op threads, 0 = PyTorch's default ({@value
 *     #KEY_INTEROP_THREADS}). JVM-wide: only the first engine load in a JVM applies it
 * @param intraOpThreads PyTorch intra-op threads, 0 = PyTorch's default ({@value
 *     #KEY_INTRAOP_THREADS}). JVM-wide, like {@code interOpThreads}
 */
public record TorchScriptSettings(
    Path modelFile,
    String expectedSha256,
    String device,
    int batchSize,
    int interOpThreads,
    int intraOpThreads)
    implements Serializable {

  public static final String KEY_MODEL_FILE = "unseg.generator.model";
  public static final String KEY_MODEL_SHA256 = "unseg.generator.model-sha256";
  public static final String KEY_DEVICE = "unseg.generator.device";
  public static final String KEY_BATCH_SIZE = "unseg.generator.batch-size";
  public static final String KEY_INTEROP_THREADS = "unseg.generator.interop-threads";
  public static final String KEY_INTRAOP_THREADS = "unseg.generator.intraop-threads";

  private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public TorchScriptSettings {
    if (modelFile == null) {
      throw new IllegalArgumentException(
          KEY_MODEL_FILE + " is not set: give the path of the TorchScript file made by tools/export_unseg.py");
    }
    expectedSha256 = expectedSha256 == null ? "" : expectedSha256.strip().toLowerCase(Locale.ROOT);
    if (!expectedSha256.isEmpty() && !SHA256.matcher(expectedSha256).matches()) {
      throw new IllegalArgumentException(
          KEY_MODEL_SHA256 + "='" + expectedSha256 + "' is not a SHA-256 hex digest (64 hex characters);"
              + " use the value export_unseg.py printed, or `sha256sum " + modelFile + "`, or leave it blank");
    }
    device = device == null || device.isBlank() ? "cpu" : device.strip().toLowerCase(Locale.ROOT);
    if (!DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException(
          KEY_DEVICE + "='" + device + "' is not a device: use cpu, gpu or gpu:N (N = CUDA device index)");
    }
    if (batchSize < 1 || batchSize > 1024) {
      throw new IllegalArgumentException(
          KEY_BATCH_SIZE + "=" + batchSize + " must be between 1 and 1024 (SAM ViT-B in float32 needs an"
              + " estimated 2-3 GB of activations per image: 4 fits a 24 GB GPU)");
    }
    if (interOpThreads < 0 || intraOpThreads < 0) {
      throw new IllegalArgumentException(
          KEY_INTEROP_THREADS + "/" + KEY_INTRAOP_THREADS + " must be >= 0 (0 = PyTorch's default), got "
              + interOpThreads + "/" + intraOpThreads);
    }
  }

  /** java.nio.file.Path is not Serializable; Spark ships settings to executors through this form. */
  @java.io.Serial
  private Object writeReplace() {
    return new SerialForm(modelFile.toString(), expectedSha256, device, batchSize, interOpThreads, intraOpThreads);
  }

  private record SerialForm(String modelFile, String expectedSha256, String device, int batchSize,
      int interOpThreads, int intraOpThreads) implements Serializable {
    @java.io.Serial
    private Object readResolve() {
      return new TorchScriptSettings(Path.of(modelFile), expectedSha256, device, batchSize, interOpThreads, intraOpThreads);
    }
  }

  /** CPU, batch size 1, PyTorch's default thread counts, digest not checked. */
  public static TorchScriptSettings cpu(Path modelFile) {
    return new TorchScriptSettings(modelFile, "", "cpu", 1, 0, 0);
  }

  /** The same settings with another batch size. */
  public TorchScriptSettings withBatchSize(int size) {
    return new TorchScriptSettings(modelFile, expectedSha256, device, size, interOpThreads, intraOpThreads);
  }

  /** The same settings with another expected digest. */
  public TorchScriptSettings withExpectedSha256(String sha256) {
    return new TorchScriptSettings(modelFile, sha256, device, batchSize, interOpThreads, intraOpThreads);
  }

  /**
   * A key for {@code GeneratorCache}: one loaded model per distinct key per JVM. Uses the expected
   * digest when one is given (the same model under two paths shares one load), else the absolute path,
   * so building the key never reads the (350 MB) file.
   */
  public String cacheKey() {
    String model = expectedSha256.isEmpty() ? "path:" + modelFile.toAbsolutePath().normalize() : "sha256:" + expectedSha256;
    return "unseg-torchscript|" + model + "|" + device + "|batch=" + batchSize
        + "|threads=" + interOpThreads + "/" + intraOpThreads;
  }
}
