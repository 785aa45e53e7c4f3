package dev.unseg.jobs.generator;

import dev.unseg.jobs.config.GeneratorConfig;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.generator.GeneratorCache;
import dev.unseg.pipeline.generator.NoiseGenerator;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import dev.unseg.pipeline.generator.djl.GeneratorException;
import dev.unseg.pipeline.generator.djl.TorchScriptGenerator;
import dev.unseg.pipeline.generator.djl.TrainedGenerator;
import dev.unseg.pipeline.generator.djl.TorchScriptSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Builds the run's generator on an executor, once per JVM and device (Iceberg's executor-cache
 * pattern): tasks of the same executor share it, and it is closed when the JVM exits.
 */
public final class Generators {
  private Generators() {}

  public static NoiseGenerator forThisExecutor(GeneratorConfig config, Configuration hadoopConf, TaskContext task)
      throws Exception {
    return switch (config.kind()) {
      case SYNTHETIC -> GeneratorCache.get(
          "synthetic:" + Sha256.hex((config.key() + "\u0000" + config.cellSize() + "\u0000" + config.design())
              .getBytes(StandardCharsets.UTF_8)),
          () -> new SyntheticTextureGenerator(config.key(), config.cellSize(), config.design()));
      case UNSEG, TRAINED -> {
        String device = device(config.device(), task);
        yield GeneratorCache.get(config.kind() + ":" + config.model() + ":" + config.modelSha256() + ":" + device + ":"
            + config.batchSize(), () -> {
              Path local = ModelFiles.localCopy(config.model(), hadoopConf);
              TorchScriptSettings settings = new TorchScriptSettings(local, config.modelSha256(), device,
                  config.batchSize(), config.interopThreads(), config.intraopThreads());
              return config.kind() == GeneratorConfig.Kind.UNSEG ? TorchScriptGenerator.load(settings)
                  : TrainedGenerator.load(settings);
            });
      }
    };
  }

  /**
   * Loads the run's model generator in this JVM, where embedded Spark (local mode) runs every task: they
   * then find it in the cache, and a load that fails (--device gpu where libtorch has no CUDA, a model
   * libtorch refuses) refuses the run before anything is written, instead of failing every task.
   */
  public static void loadForEmbeddedTasks(GeneratorConfig config, Configuration hadoopConf) throws Exception {
    if (config.kind() == GeneratorConfig.Kind.SYNTHETIC) {
      return;
    }
    try {
      forThisExecutor(config, hadoopConf, null);
    } catch (GeneratorException e) {
      throw new UserError(e.getMessage() + " Nothing was written.");
    }
  }

  /** "gpu" means the GPU Spark assigned to this task (spark.task.resource.gpu.amount), else GPU 0. */
  static String device(String configured, TaskContext task) {
    if (!configured.equals("gpu")) {
      return configured;
    }
    if (task != null) {
      ResourceInformation gpus = task.resources().get("gpu").getOrElse(() -> null);
      if (gpus != null && gpus.addresses().length > 0) {
        return "gpu:" + gpus.addresses()[0];
      }
    }
    return "gpu:0";
  }

  /**
   * Loads nothing: checks on the driver, before any task starts or anything is written, that the model
   * URI exists and, when {@code unseg.generator.model-sha256} is set, that the file has that digest.
   * Why on the driver too (executors check again before loading): a wrong model must refuse the run,
   * not fail every task after the output was begun. Costs one streamed read of the model (a trained
   * generator's header is checked too: a file that is not one is refused here).
   *
   * @return the model file's SHA-256, which the run spec records so that --resume refuses another file at
   *     the same URI ("" for the built-in generator)
   */
  public static String checkModel(GeneratorConfig config, Configuration hadoopConf) throws IOException {
    if (config.kind() == GeneratorConfig.Kind.SYNTHETIC) {
      return "";
    }
    ModelFiles.checkExists(config.model(), hadoopConf);
    byte[] trained = null;
    if (config.kind() == GeneratorConfig.Kind.TRAINED) {
      // A trained generator is a few MB: read once, for its header and, below, its digest.
      trained = ModelFiles.read(config.model(), hadoopConf);
      try {
        TrainedGenerator.header(trained, config.model());
      } catch (GeneratorException e) {
        throw new UserError(e.getMessage() + " Nothing was written.");
      }
    }
    String actual = trained != null ? Sha256.hex(trained) : ModelFiles.sha256(config.model(), hadoopConf);
    if (!config.modelSha256().isEmpty() && !actual.equals(config.modelSha256())) {
      throw new UserError("unseg.generator.model-sha256 (--model-sha256) expects " + config.modelSha256()
          + " but " + config.model() + " has SHA-256 " + actual + ". Use the model file that digest was recorded"
          + " for, or, if this file is the one you mean, pass --model-sha256 " + actual + ". Nothing was written.");
    }
    return actual;
  }
}
