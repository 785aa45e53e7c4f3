package dev.unseg.pipeline.generator.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine once per JVM, offline, with the thread counts of the first settings.
 * Why its own class: everything here is JVM-wide state (system properties, libtorch's thread pools),
 * and its failures need messages that name the jars to add.
 */
final class PyTorchRuntime {
  static final String ENGINE = "PyTorch";
  static final String NATIVE_JARS =
      "ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64 (or pytorch-native-cu124:2.5.1:linux-x86_64"
          + " for CUDA) and ai.djl.pytorch:pytorch-jni:2.5.1-0.32.0";
  private static final Logger LOG = LoggerFactory.getLogger(PyTorchRuntime.class);
  private static String appliedThreads;

  private PyTorchRuntime() {}

  /** The engine, loaded offline; thread settings apply only if this call is the first to load it. */
  static synchronized Engine engine(TorchScriptSettings s) throws GeneratorException {
    String threads = s.interOpThreads() + "/" + s.intraOpThreads();
    if (appliedThreads == null) {
      // DJL must never download libtorch at run time: a missing jar fails here, not after a 10 min timeout.
      if (System.getProperty("ai.djl.offline") == null) {
        System.setProperty("ai.djl.offline", "true");
      }
      // Read by PtEngine when it first starts; libtorch's thread pools are process-wide afterwards.
      setIfPositive("ai.djl.pytorch.num_interop_threads", s.interOpThreads());
      setIfPositive("ai.djl.pytorch.num_threads", s.intraOpThreads());
    } else if (!appliedThreads.equals(threads)) {
      LOG.warn("PyTorch threads (inter/intra) {} requested for {} but this JVM already runs with {}:"
          + " {} and {} are JVM-wide and only the first model load applies them",
          threads, s.modelFile(), appliedThreads,
          TorchScriptSettings.KEY_INTEROP_THREADS, TorchScriptSettings.KEY_INTRAOP_THREADS);
    }
    Engine engine;
    try {
      engine = Engine.getEngine(ENGINE);
    } catch (Throwable t) { // UnsatisfiedLinkError, EngineException, IllegalStateException all mean the same here
      throw new GeneratorException(
          "Cannot start DJL's PyTorch engine for " + s.modelFile() + " (offline mode, no download): "
              + rootMessage(t) + ". Put " + NATIVE_JARS + " on the classpath of every executor (the jobs"
              + " jar ships them), or point the environment variable PYTORCH_LIBRARY_PATH at an unpacked"
              + " libtorch 2.5.1 (folder with libtorch.so) plus the pytorch-jni jar. Do not set PYTORCH_VERSION"
              + " or PYTORCH_FLAVOR to anything but the jar's version and flavour.",
          t);
    }
    if (appliedThreads == null) {
      appliedThreads = threads;
    }
    return engine;
  }

  /** The DJL device for the setting; a GPU that the engine cannot use is an error, never the CPU. */
  static Device device(Engine engine, TorchScriptSettings s) throws GeneratorException {
    if ("cpu".equals(s.device())) {
      return Device.cpu();
    }
    int index = s.device().contains(":") ? Integer.parseInt(s.device().substring(4)) : 0;
    int gpus = engine.getGpuCount();
    if (!engine.hasCapability("CUDA") || gpus == 0) {
      throw new GeneratorException(
          TorchScriptSettings.KEY_DEVICE + "=" + s.device() + " but the PyTorch engine (libtorch "
              + engine.getVersion() + ") has no CUDA: either the classpath has pytorch-native-cpu instead of"
              + " ai.djl.pytorch:pytorch-native-cu124:2.5.1:linux-x86_64, or no NVIDIA driver/GPU is visible"
              + " (check nvidia-smi on the executor). Fix the classpath, or set " + TorchScriptSettings.KEY_DEVICE
              + "=cpu to run on the CPU knowingly (about 100x slower).");
    }
    if (index >= gpus) {
      throw new GeneratorException(
          TorchScriptSettings.KEY_DEVICE + "=" + s.device() + " but only " + gpus + " GPU(s) are visible"
              + " (indices 0.." + (gpus - 1) + "); use gpu:0 with CUDA_VISIBLE_DEVICES, or a smaller index");
    }
    return Device.gpu(index);
  }

  private static void setIfPositive(String key, int value) {
    if (value > 0) {
      System.setProperty(key, Integer.toString(value));
    }
  }

  static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    String top = t.getClass().getSimpleName() + ": " + Objects.toString(t.getMessage(), "");
    if (r == t || (r.getMessage() != null && top.contains(r.getMessage()))) {
      return top; // DJL often repeats the cause's text in its own message
    }
    return top + " (cause: " + r.getClass().getSimpleName() + ": " + r.getMessage() + ")";
  }
}
