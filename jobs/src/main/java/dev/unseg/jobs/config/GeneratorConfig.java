package dev.unseg.jobs.config;

import com.typesafe.config.Config;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.generator.SyntheticTextureGenerator;
import java.io.Serializable;
import java.util.Locale;

/**
 * Which generator a run uses and how to load it. Serializable: executors build the generator
 * from it, once per JVM (see {@code Generators}).
 *
 * @param key the synthetic generator's secret; never logged, never written to the manifest
 */
public record GeneratorConfig(
    Kind kind,
    String key,
    int cellSize,
    SyntheticTextureGenerator.Design design,
    String model,
    String modelSha256,
    String device,
    int batchSize,
    int interopThreads,
    int intraopThreads)
    implements Serializable {

  public enum Kind {
    SYNTHETIC,
    UNSEG,
    TRAINED
  }

  static GeneratorConfig from(Config c) {
    Kind kind = SettingReads.enumSetting(c, "generator.kind", "--generator",
        s -> Kind.valueOf(s.toUpperCase(Locale.ROOT)), "synthetic, unseg or trained");
    String key = SettingReads.string(c, "generator.key");
    if (kind == Kind.SYNTHETIC && key.isEmpty()) {
      throw new UserError("unseg.generator.key is not set: the synthetic generator's noise is keyed by a secret "
          + "of yours. Give one with --key, the UNSEG_KEY environment variable, or --conf unseg.generator.key=...; "
          + "keep it private and reuse it to reproduce a run.");
    }
    String model = SettingReads.string(c, "generator.model");
    if (kind == Kind.UNSEG && model.isEmpty()) {
      throw new UserError("unseg.generator.model is not set: --generator unseg needs the TorchScript export of "
          + "the UnSeg generator (see tools/export_unseg.py); give its path or URI with --model.");
    }
    if (kind == Kind.TRAINED && model.isEmpty()) {
      throw new UserError("unseg.generator.model is not set: --generator trained needs the model file unseg train-generator"
          + " wrote; give its path or URI with --model.");
    }
    String sha = SettingReads.string(c, "generator.model-sha256").toLowerCase(Locale.ROOT);
    if (!sha.isEmpty() && !sha.matches("[0-9a-f]{64}")) {
      throw SettingReads.bad("generator.model-sha256", null, sha, "64 hex digits (sha256sum of the model file) or empty");
    }
    String device = SettingReads.string(c, "generator.device").toLowerCase(Locale.ROOT);
    if (!device.matches("cpu|gpu|gpu:\\d+")) {
      throw SettingReads.bad("generator.device", null, device, "cpu, gpu or gpu:N");
    }
    return new GeneratorConfig(kind, key,
        SettingReads.intIn(c, "generator.cell-size", null, 1, 256),
        SettingReads.enumSetting(c, "generator.synthetic.design", null,
            s -> SyntheticTextureGenerator.Design.valueOf(s.toUpperCase(Locale.ROOT)), "cells, octaves or shift"),
        model, sha, device,
        SettingReads.intIn(c, "generator.batch-size", null, 1, 1024),
        SettingReads.intIn(c, "generator.interop-threads", null, 0, 1024),
        SettingReads.intIn(c, "generator.intraop-threads", null, 0, 1024));
  }

  public int batchSize() {
    return batchSize;
  }

  @Override
  public String toString() {
    // The key is a secret: records print themselves into logs and exceptions.
    return "GeneratorConfig[kind=" + kind + ", cellSize=" + cellSize + ", design=" + design + ", model=" + model + ", device=" + device
        + ", batchSize=" + batchSize + "]";
  }
}
